import Engine
import Kernels
import Testing
import TestSupport

@Suite struct BatchNorm2dTests {
  /// A layer with γ, β away from their 1 / 0 defaults, so their gradients are exercised.
  private func layer(channels: Int) -> BatchNorm2d {
    let bn = BatchNorm2d(channels: channels)
    for c in 0..<channels {
      bn.weight.value[c] = 0.5 + Float(c) * 0.3
      bn.bias.value[c] = Float(c) * 0.2 - 0.1
    }
    return bn
  }

  @Test func stateNamesAndOrderFollowTorchvision() {
    let bn = BatchNorm2d(channels: 3)
    #expect(bn.namedState(prefix: "bn1").map(\.name)
      == ["bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var", "bn1.num_batches_tracked"])
    #expect(bn.weight.value.values == [1, 1, 1] && bn.bias.value.values == [0, 0, 0])
    #expect(bn.runningMean.values == [0, 0, 0] && bn.runningVariance.values == [1, 1, 1])
    #expect(bn.batchesTracked.value == 0)
  }

  @Test(arguments: [[2, 3, 4, 5], [3, 2, 1, 1], [1, 4, 3, 3]])
  func trainModeBackwardMatchesFiniteDifference(shape: [Int]) {
    let bn = layer(channels: shape[1])
    let x = randomTensor(shape, seed: 1, in: -1...2)
    let errors = layerGradientErrors(bn, input: x, mode: .train)
    #expect(errors.input < 1e-2)
    #expect(errors.parameters.map(\.name) == ["weight", "bias"])
    for (name, error) in errors.parameters { #expect(error < 1e-2, "\(name)") }
  }

  @Test func evalModeBackwardMatchesFiniteDifference() {
    let bn = layer(channels: 3)
    bn.runningMean.pointer.update(from: [0.3, -0.2, 1], count: 3)
    bn.runningVariance.pointer.update(from: [0.5, 2, 1.5], count: 3)
    let errors = layerGradientErrors(bn, input: randomTensor([2, 3, 2, 3], seed: 2), mode: .eval)
    #expect(errors.input < 1e-2)
    for (name, error) in errors.parameters { #expect(error < 1e-2, "\(name)") }
  }

  @Test func runningStatisticsAfterTwoTrainingStepsMatchHandComputedValues() {
    let bn = BatchNorm2d(channels: 2)
    // [n 2, c 2, h 1, w 2]. Channel 0 sees {1, 2, 3, 4} then {0, 0, 2, 6};
    // channel 1 sees {10, 10, 10, 14} then {−1, −1, −1, −1}.
    let first = Tensor(shape: [2, 2, 1, 2], values: [1, 2, 10, 10, 3, 4, 10, 14])
    let second = Tensor(shape: [2, 2, 1, 2], values: [0, 0, -1, -1, 2, 6, -1, -1])
    _ = bn.forward(first, mode: .train)
    _ = bn.forward(second, mode: .train)
    // Channel 0: means 2.5 then 2, unbiased variances 5/3 then 8.
    //   mean: 0.9·(0.9·0 + 0.1·2.5) + 0.1·2 = 0.425; var: 0.9·(0.9 + 0.1·5/3) + 0.1·8 = 1.76.
    // Channel 1: means 11 then −1, unbiased variances 4 then 0.
    //   mean: 0.9·1.1 − 0.1 = 0.89; var: 0.9·(0.9 + 0.4) + 0 = 1.17.
    #expect(maxRelativeError(bn.runningMean.values, [0.425, 0.89]) < 1e-6)
    #expect(maxRelativeError(bn.runningVariance.values, [1.76, 1.17]) < 1e-6)
    #expect(bn.batchesTracked.value == 2)
  }

  @Test func evalModeUsesRunningStatisticsAndLeavesThemAlone() {
    let bn = layer(channels: 2)
    bn.runningMean.pointer.update(from: [1, -2], count: 2)
    bn.runningVariance.pointer.update(from: [4, 0.25], count: 2)
    let x = Tensor(shape: [1, 2, 1, 2], values: [3, -1, 0, -2])
    let y = bn.forward(x, mode: .eval).values
    // y = (x − mean) / √(var + 1e-5) · γ + β with γ = [0.5, 0.8], β = [−0.1, 0.1].
    let expected: [Float] = [
      (3 - 1) / (4 + 1e-5).squareRoot() * 0.5 - 0.1, (-1 - 1) / (4 + 1e-5).squareRoot() * 0.5 - 0.1,
      (0 + 2) / (0.25 + 1e-5).squareRoot() * 0.8 + 0.1, 0.1,
    ]
    #expect(maxRelativeError(y, expected) < 1e-6)
    #expect(bn.runningMean.values == [1, -2] && bn.runningVariance.values == [4, 0.25])
    #expect(bn.batchesTracked.value == 0)
  }

  @Test func trainingOutputIsNormalisedPerChannel() {
    let bn = BatchNorm2d(channels: 3)
    let y = bn.forward(randomTensor([4, 3, 3, 3], seed: 3, in: 5...9), mode: .train)
    for c in 0..<3 {
      let values = (0..<4).flatMap { b in (0..<9).map { Double(y[(b * 3 + c) * 9 + $0]) } }
      let mean = values.reduce(0, +) / 36
      let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / 36
      #expect(abs(mean) < 1e-5)
      #expect(abs(variance - 1) < 1e-3)  // eps 1e-5 against a variance of about 1/3
    }
  }

  @Test func buffersAreReusedAcrossSteps() {
    let bn = BatchNorm2d(channels: 2)
    let x = randomTensor([2, 2, 3, 3], seed: 4)
    let y1 = bn.forward(x, mode: .train), dx1 = bn.backward(x)
    let y2 = bn.forward(x, mode: .train), dx2 = bn.backward(x)
    #expect(y1 === y2 && dx1 === dx2)
  }

  @Test func shapeErrorNamesTheLayerAndBothShapes() {
    #expect(throws: ShapeError(layer: "BatchNorm2d", expected: "[n, 4, h, w]", actual: [2, 3, 5, 5])) {
      try BatchNorm2d(channels: 4).outputShape(for: [2, 3, 5, 5])
    }
    let error = ShapeError(layer: "BatchNorm2d", expected: "[n, 4, h, w]", actual: [2, 3, 5, 5])
    #expect(error.description == "shape mismatch in BatchNorm2d: expected [n, 4, h, w], got [2, 3, 5, 5]")
  }
}
