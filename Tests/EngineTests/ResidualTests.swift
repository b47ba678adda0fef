import Engine
import Kernels
import Testing
import TestSupport

@Suite struct ResidualTests {
  /// torchvision's BasicBlock shape with a projection: conv1, bn1, relu, conv2, bn2 + downsample.
  private func projectionBlock(_ inChannels: Int, _ outChannels: Int) -> Residual {
    Residual(
      main: Sequential(named: [
        ("conv1", ChannelMix(inChannels, outChannels)), ("bn1", BatchNorm2d(channels: outChannels)),
        ("relu", ReLU()), ("conv2", ChannelMix(outChannels, outChannels)),
        ("bn2", BatchNorm2d(channels: outChannels)),
      ]),
      shortcut: Sequential(ChannelMix(inChannels, outChannels), BatchNorm2d(channels: outChannels)),
      post: ReLU())
  }

  /// An identity-shortcut block (pre-activation style, so the shortcut carries raw x).
  private func identityBlock(_ channels: Int) -> Residual {
    Residual(main: Sequential(named: [
      ("bn1", BatchNorm2d(channels: channels)), ("relu", ReLU()), ("conv1", ChannelMix(channels, channels)),
    ]))
  }

  /// The smallest |value| reaching any ReLU of a block built above (see `reluKinkMargin`).
  private func kinkMargin(_ block: Residual, _ x: Tensor) -> Float {
    let (margin, mainOutput) = reluKinkMargin(block.main as! Sequential, input: x)
    guard block.post != nil else { return margin }
    let shortcutOutput = block.shortcut?.forward(x, mode: .train).values ?? x.values
    return min(margin, zip(mainOutput, shortcutOutput).map { abs($0 + $1) }.min()!)
  }

  @Test func mainBranchNamesMergeIntoTheBlock() {
    let model = Sequential(named: [("layer1", Sequential(projectionBlock(4, 6)))])
    let names = model.namedParameters().map(\.name)
    #expect(names == [
      "layer1.0.conv1.weight", "layer1.0.bn1.weight", "layer1.0.bn1.bias",
      "layer1.0.conv2.weight", "layer1.0.bn2.weight", "layer1.0.bn2.bias",
      "layer1.0.downsample.0.weight", "layer1.0.downsample.1.weight", "layer1.0.downsample.1.bias",
    ])
    #expect(model.namedState().map(\.name).contains("layer1.0.downsample.1.running_var"))
  }

  @Test func identityBlockBackwardMatchesFiniteDifference() throws {
    let block = identityBlock(3)
    block.initialise(seed: 1)
    let x = randomTensor([2, 3, 3, 3], seed: 2)
    try #require(kinkMargin(block, x) > 5e-3, "seeds must keep ReLU inputs off the kink")
    let errors = layerGradientErrors(block, input: x, step: 1e-3)
    #expect(errors.input < 1e-2)
    #expect(errors.parameters.count == 3)
    for (name, error) in errors.parameters { #expect(error < 1e-2, "\(name)") }
  }

  @Test func projectionBlockBackwardMatchesFiniteDifference() throws {
    let block = projectionBlock(3, 4)
    block.initialise(seed: 7)
    let x = randomTensor([2, 3, 3, 3], seed: 4)
    try #require(kinkMargin(block, x) > 5e-3, "seeds must keep ReLU inputs off the kink")
    let errors = layerGradientErrors(block, input: x, step: 1e-3)
    #expect(errors.input < 1e-2)
    #expect(errors.parameters.count == 9)
    for (name, error) in errors.parameters { #expect(error < 1e-2, "\(name)") }
  }

  @Test func identityShortcutAddsTheInput() {
    let block = Residual(main: Linear(inFeatures: 2, outFeatures: 2, bias: false))
    block.initialise(seed: 5)
    let x = Tensor(shape: [1, 2], values: [1, -2])
    let w = (block.main as! Linear).weight.value
    let y = block.forward(x, mode: .train)
    #expect(y.values == [1 + w[0] - 2 * w[1], -2 + w[2] - 2 * w[3]])
    // dx = dy + Wᵀ·dy: the two branches' gradients add up.
    let dx = block.backward(Tensor(shape: [1, 2], values: [1, 0]))
    #expect(dx.values == [1 + w[0], w[1]])
  }

  @Test func branchShapeMismatchNamesBothShapes() {
    let block = Residual(main: ChannelMix(4, 6))
    let expected = ShapeError(layer: "Residual",
                              expected: "shortcut output equal to the main branch's output [2, 6, 3, 3]",
                              actual: [2, 4, 3, 3])
    #expect(throws: expected) { try block.outputShape(for: [2, 4, 3, 3]) }
    #expect(throws: expected.at("0").at("layer1")) {
      try Sequential(named: [("layer1", Sequential(block))]).outputShape(for: [2, 4, 3, 3])
    }
  }

  @Test func shortcutErrorsCarryTheDownsampleName() {
    let block = Residual(main: ChannelMix(4, 6), shortcut: ChannelMix(5, 6))
    #expect(throws: ShapeError(layer: "ChannelMix", expected: "[n, 5, h, w]", actual: [1, 4, 2, 2]).at("downsample")) {
      try block.outputShape(for: [1, 4, 2, 2])
    }
  }

  @Test func macsAddBothBranches() {
    let block = Residual(main: Linear(inFeatures: 4, outFeatures: 3), shortcut: Linear(inFeatures: 4, outFeatures: 3),
                         post: ReLU())
    #expect(block.macs(for: [2, 4]) == 2 * (2 * 4 * 3))
  }

  /// A block whose `post` starts with an in-place ReLU applies it in the pass that adds the sum
  /// (as ResNet's blocks do, with an MFD tap after it); a non-in-place ReLU is applied by its own
  /// layer. Both give the same bits forward and backward, over two steps.
  @Test(arguments: [false, true])
  func inPlaceFinalActivationIsAppliedWithTheSum(postIsSequential: Bool) {
    let x = randomTensor([3, 3, 4, 4], seed: 9), dy = randomTensor([3, 4, 4, 4], seed: 10)
    func run(inPlace: Bool) -> [Float] {
      let relu = ReLU(inPlace: inPlace)
      let post: any Layer = postIsSequential ? Sequential(named: [("relu", relu), ("probe", ReLU())]) : relu
      let block = Residual(
        main: Sequential(named: [("conv1", ChannelMix(3, 4)), ("bn1", BatchNorm2d(channels: 4))]),
        shortcut: Sequential(ChannelMix(3, 4), BatchNorm2d(channels: 4)), post: post)
      block.initialise(seed: 11)
      var values: [Float] = []
      for _ in 0..<2 {
        let y = block.forward(x, mode: .train).values
        values += y + block.backward(dy).values
        block.releaseGradient()
      }
      #expect(values.contains(0) && values.contains { $0 < 0 }, "some sums must be clipped")
      return values + block.namedParameters().flatMap(\.parameter.grad.values)
    }
    #expect(run(inPlace: true).map(\.bitPattern) == run(inPlace: false).map(\.bitPattern))
  }

  @Test func blockIsBitIdenticalForOneAndTwoThreads() {
    let x = randomTensor([4, 3, 5, 5], seed: 6), dy = randomTensor([4, 4, 5, 5], seed: 7)
    func run(threads: Int) -> [Float] {
      Threading.setThreadCount(threads)
      defer { Threading.setThreadCount(1) }
      let block = projectionBlock(3, 4)
      block.initialise(seed: 8)
      let y = block.forward(x, mode: .train).values
      return y + block.backward(dy).values + block.namedParameters().flatMap(\.parameter.grad.values)
    }
    #expect(run(threads: 1) == run(threads: 2))
  }
}
