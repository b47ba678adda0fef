import Engine
import Kernels
import Testing
import TestSupport

@Suite struct DenseConcatTests {
  /// torchvision's _DenseLayer shape, minus the bottleneck: norm1, relu1, conv1.
  private func denseLayer(_ channels: Int, growth: Int) -> DenseConcat {
    DenseConcat(Sequential(named: [
      ("norm1", BatchNorm2d(channels: channels)), ("relu1", ReLU()), ("conv1", ChannelMix(channels, growth)),
    ]))
  }

  @Test func backwardMatchesFiniteDifference() throws {
    let layer = denseLayer(3, growth: 2)
    layer.initialise(seed: 1)
    let x = randomTensor([2, 3, 3, 3], seed: 2)
    try #require(reluKinkMargin(layer.inner as! Sequential, input: x).margin > 5e-3,
                 "seeds must keep ReLU inputs off the kink")
    let errors = layerGradientErrors(layer, input: x, step: 1e-3)
    #expect(errors.input < 1e-2)
    #expect(errors.parameters.count == 3)
    for (name, error) in errors.parameters { #expect(error < 1e-2, "\(name)") }
  }

  @Test func inputPassesThroughAheadOfTheNewChannels() throws {
    let layer = denseLayer(3, growth: 2)
    layer.initialise(seed: 3)
    let x = randomTensor([2, 3, 2, 2], seed: 4)
    #expect(try layer.outputShape(for: x.shape) == [2, 5, 2, 2])
    let y = layer.forward(x, mode: .train)
    #expect(y.shape == [2, 5, 2, 2])
    for b in 0..<2 {
      #expect(Array(y.values[(b * 5 * 4)..<(b * 5 * 4 + 12)]) == Array(x.values[(b * 12)..<(b * 12 + 12)]))
    }
  }

  /// dx = inner's input gradient + the pass-through channels of dy, summed in inner's own buffer
  /// when pooled: the bits of the two computed apart.
  @Test(arguments: [false, true])
  func inputGradientIsInnersPlusThePassThroughChannels(pooled: Bool) {
    let (layer, twin) = (denseLayer(3, growth: 2), denseLayer(3, growth: 2))
    layer.initialise(seed: 5)
    twin.initialise(seed: 5)
    if pooled { layer.attachGradientPool(GradientPool()) }
    let x = randomTensor([2, 3, 4, 3], seed: 6), dy = randomTensor([2, 5, 4, 3], seed: 7)
    for _ in 0..<2 {  // the second step reuses the pooled buffers
      _ = layer.forward(x, mode: .train)
      let dx = layer.backward(dy).values
      _ = twin.inner.forward(x, mode: .train)
      var dNew = [Float](repeating: 0, count: 2 * 2 * 12)
      naiveSliceChannels(dy.pointer, totalChannels: 5, channels: 3..<5, into: &dNew, n: 2, spatial: 12)
      var expected = twin.inner.backward(Tensor(shape: [2, 2, 4, 3], values: dNew)).values
      naiveSliceChannels(dy.pointer, totalChannels: 5, channels: 0..<3, into: &expected,
                         accumulating: true, n: 2, spatial: 12)
      #expect(dx == expected)
      layer.releaseGradient()
      twin.inner.releaseGradient()
    }
  }

  @Test func innerNamesMergeIntoTheLayer() {
    let names = denseLayer(3, growth: 2).namedParameters(prefix: "denselayer1").map(\.name)
    #expect(names == ["denselayer1.norm1.weight", "denselayer1.norm1.bias", "denselayer1.conv1.weight"])
  }

  @Test func innerOutputOfAnotherSizeIsAShapeError() {
    let layer = DenseConcat(MaxPool2d(kernelSize: 2))
    #expect(throws: ShapeError(layer: "DenseConcat",
                               expected: "inner output [2, c', 4, 4] to concatenate with input [2, 3, 4, 4]",
                               actual: [2, 3, 2, 2])) {
      try layer.outputShape(for: [2, 3, 4, 4])
    }
  }
}
