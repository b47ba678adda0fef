import Engine
import Kernels
import Testing
import TestSupport

@Suite struct MFDTapTests {
  let shape = [4, 5, 3, 2]

  func naiveLoss(_ x: Tensor) -> Double {
    naiveMFDLoss(input: x.pointer, batch: x.n, channels: x.c, pixels: x.h * x.w)
  }

  func naiveGradient(_ x: Tensor) -> [Float] {
    var gradient = [Float](repeating: 0, count: x.count)
    naiveMFDGradient(input: x.pointer, batch: x.n, channels: x.c, pixels: x.h * x.w, gradient: &gradient)
    return gradient
  }

  @Test(arguments: [Mode.train, .eval])
  func forwardReturnsItsInputUnchanged(mode: Mode) {
    let tap = MFDTap(lambda: 1, label: "S0")
    tap.recordsCorrelationInEval = true
    let x = randomTensor(shape, seed: 1)
    let before = x.values
    let y = tap.forward(x, mode: mode)
    #expect(y === x)
    #expect(y.values == before)
  }

  @Test func trainForwardRecordsLossAndWeightedLoss() throws {
    let tap = MFDTap(lambda: 0.25, label: "S2")
    let x = randomTensor(shape, seed: 2)
    #expect(tap.lastLoss == nil)
    _ = tap.forward(x, mode: .train)
    let loss = try #require(tap.lastLoss)
    let expected = naiveLoss(x)
    #expect(abs(Double(loss) - expected) < 1e-4 * expected)
    #expect(tap.lastWeightedLoss == 0.25 * loss)
    #expect(tap.lambda == 0.25 && tap.label == "S2")
    let correlation = try #require(tap.lastMeanAbsoluteCorrelation)
    #expect(abs(Double(correlation) - naiveMeanAbsoluteCorrelation(
      input: x.pointer, batch: x.n, channels: x.c, pixels: x.h * x.w)) < 1e-5)
  }

  @Test func evalForwardRecordsNothingUnlessAsked() throws {
    let tap = MFDTap(lambda: 1, label: "S1")
    let x = randomTensor(shape, seed: 3)
    _ = tap.forward(x, mode: .eval)
    #expect(tap.lastLoss == nil)
    #expect(tap.lastMeanAbsoluteCorrelation == nil)

    tap.recordsCorrelationInEval = true
    _ = tap.forward(x, mode: .eval)
    #expect(tap.lastLoss == nil)
    let expected = naiveMeanAbsoluteCorrelation(input: x.pointer, batch: x.n, channels: x.c, pixels: x.h * x.w)
    let recorded = try #require(tap.lastMeanAbsoluteCorrelation)
    #expect(abs(Double(recorded) - expected) < 1e-5)
  }

  /// backward = gradOutput + λ·dL/dX, in a buffer that is not gradOutput and is reused next step.
  @Test func backwardAddsLambdaTimesTheLossGradient() {
    let lambda: Float = 0.7
    let tap = MFDTap(lambda: lambda, label: "S3")
    var previous: Tensor?
    for step in 0..<2 {
      let x = randomTensor(shape, seed: 10 + UInt64(step))
      let gradOutput = randomTensor(shape, seed: 20 + UInt64(step), in: -1e-2...1e-2)
      let gradOutputBefore = gradOutput.values
      _ = tap.forward(x, mode: .train)
      let gradInput = tap.backward(gradOutput)
      #expect(gradInput !== gradOutput)
      #expect(gradOutput.values == gradOutputBefore)
      let expected = zip(gradOutputBefore, naiveGradient(x)).map { $0 + lambda * $1 }
      #expect(maxScaledError(gradInput.values, expected) < 1e-5)
      #expect(gradInput.values != gradOutputBefore)
      if let previous { #expect(gradInput === previous) }
      previous = gradInput
    }
  }

  /// With λ = 0 the tap still reports L but passes the gradient through untouched.
  @Test func zeroLambdaPassesTheGradientThrough() {
    let tap = MFDTap(lambda: 0, label: "S4")
    let x = randomTensor(shape, seed: 5)
    let gradOutput = randomTensor(shape, seed: 6)
    _ = tap.forward(x, mode: .train)
    #expect((tap.lastLoss ?? 0) > 0)
    #expect(tap.backward(gradOutput).values == gradOutput.values)
  }

  @Test func outputShapeIsTheInputShape() throws {
    let tap = MFDTap(lambda: 1, label: "S0")
    #expect(try tap.outputShape(for: [8, 16, 4, 4]) == [8, 16, 4, 4])
    #expect(tap.namedParameters().isEmpty)
  }

  @Test(arguments: [[8, 16], [8, 16, 4], [0, 3, 2, 2], [2, 3, 2, 2, 1]])
  func outputShapeRejectsNonImageShapes(shape: [Int]) {
    let tap = MFDTap(lambda: 1, label: "S0")
    #expect(throws: ShapeError(layer: "MFDTap", expected: "[n, c, h, w] with every dimension ≥ 1",
                               actual: shape)) {
      try tap.outputShape(for: shape)
    }
  }

  @Test func lossGradientMatchesNaiveReference() {
    let x = randomTensor([3, 7, 2, 2], seed: 7)
    let loss = MFDLoss()
    let value = loss.value(x)
    #expect(abs(Double(value) - naiveLoss(x)) < 1e-4 * naiveLoss(x))
    let first = loss.gradient()
    #expect(maxScaledError(first.values, naiveGradient(x)) < 1e-5)
    #expect(loss.gradient() === first)  // reused buffer
  }
}
