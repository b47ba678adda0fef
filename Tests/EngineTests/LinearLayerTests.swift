import Engine
import Kernels
import Testing
import TestSupport

@Suite struct LinearLayerTests {
  @Test(arguments: [true, false])
  func backwardMatchesFiniteDifference(bias: Bool) {
    let linear = Linear(inFeatures: 5, outFeatures: 3, bias: bias)
    linear.initialise(seed: 1)
    let errors = layerGradientErrors(linear, input: randomTensor([4, 5], seed: 2))
    #expect(errors.input < 1e-2)
    #expect(errors.parameters.map(\.name) == (bias ? ["weight", "bias"] : ["weight"]))
    for (name, error) in errors.parameters { #expect(error < 1e-2, "\(name)") }
  }

  @Test func defaultInitialisationDrawsWeightThenBiasWithinOneOverRootIn() {
    let linear = Linear(inFeatures: 16, outFeatures: 3)
    var generator = SeededGenerator(seed: 7)
    linear.resetParameters(using: &generator)
    var replay = SeededGenerator(seed: 7)
    let expected = (0..<(16 * 3 + 3)).map { _ in replay.nextFloat(in: -0.25, 0.25) }
    #expect(linear.weight.value.values + linear.bias!.value.values == expected)
    #expect(expected.allSatisfy { abs($0) <= 0.25 } && Set(expected).count > 40)
  }

  @Test func gradientsAccumulateAcrossBackwardCalls() {
    let linear = Linear(inFeatures: 3, outFeatures: 2)
    linear.initialise(seed: 3)
    let x = randomTensor([2, 3], seed: 4), dy = randomTensor([2, 2], seed: 5)
    _ = linear.forward(x, mode: .train)
    _ = linear.backward(dy)
    let once = linear.weight.grad.values + linear.bias!.grad.values
    _ = linear.backward(dy)
    let twice = linear.weight.grad.values + linear.bias!.grad.values
    #expect(maxRelativeError(twice, once.map { 2 * $0 }) < 1e-6)
  }

  @Test func leadingDimensionsAreKept() throws {
    let linear = Linear(inFeatures: 4, outFeatures: 6)
    #expect(try linear.outputShape(for: [2, 3, 4]) == [2, 3, 6])
    #expect(linear.macs(for: [2, 3, 4]) == 6 * 4 * 6)
    #expect(linear.namedParameters(prefix: "fc").map(\.name) == ["fc.weight", "fc.bias"])
  }

  @Test func shapeErrorNamesTheLayerAndBothShapes() {
    #expect(throws: ShapeError(layer: "Linear", expected: "[*, 4]", actual: [2, 5])) {
      try Linear(inFeatures: 4, outFeatures: 1).outputShape(for: [2, 5])
    }
  }
}
