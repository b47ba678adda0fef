import Kernels
import Testing
import TestSupport

@Suite struct Conv2dWinogradTests {
  static let cases: [ConvCase] = [
    // Maps divisible by 4 and not (edge tiles cut off), chunks that end short, one image per
    // chunk, tile counts below, at and above a lane block of 8.
    ConvCase(3, 3, 8, 8, out: 5, kernel: (3, 3), padding: (1, 1), algorithm: .winograd(imagesPerChunk: 2)),
    ConvCase(2, 4, 7, 9, out: 3, kernel: (3, 3), padding: (1, 1), bias: false,
             algorithm: .winograd(imagesPerChunk: 1)),
    ConvCase(5, 2, 4, 4, out: 6, kernel: (3, 3), padding: (1, 1), algorithm: .winograd(imagesPerChunk: 3)),
    ConvCase(2, 3, 13, 6, out: 2, kernel: (3, 3), padding: (1, 1), algorithm: .winograd(imagesPerChunk: 8)),
    ConvCase(1, 2, 2, 3, out: 3, kernel: (3, 3), padding: (1, 1), algorithm: .winograd(imagesPerChunk: 1)),
    // No padding, and padding 2 (the input gradient reaches every tile's window).
    ConvCase(3, 3, 9, 10, out: 4, kernel: (3, 3), algorithm: .winograd(imagesPerChunk: 2)),
    ConvCase(2, 2, 5, 6, out: 3, kernel: (3, 3), padding: (2, 2), algorithm: .winograd(imagesPerChunk: 2)),
    ConvCase(2, 3, 6, 5, out: 2, kernel: (3, 3), padding: (0, 2), bias: false,
             algorithm: .winograd(imagesPerChunk: 1)),
    // More channel pairs than a lane block, not a multiple of 8 (the kernels' partial block).
    ConvCase(2, 7, 8, 8, out: 5, kernel: (3, 3), padding: (1, 1), algorithm: .winograd(imagesPerChunk: 2)),
  ]

  @Test(arguments: cases)
  func winogradMatchesNaiveReference(_ convCase: ConvCase) {
    convCase.expectMatchesNaiveReference()
  }

  @Test func skippingTheInputGradientKeepsTheWeightGradient() {
    ConvCase(3, 4, 8, 8, out: 6, kernel: (3, 3), padding: (1, 1),
             algorithm: .winograd(imagesPerChunk: 2))
      .expectSkippingGradInputKeepsWeightGradient(seed: 41)
  }

  /// The transforms scale by up to 8 and 1/24, which costs accuracy: over 256 input channels of
  /// unit-range data the error must stay within a small factor of a plain Float sum's.
  @Test func wideLayerStaysWithinFloatRounding() throws {
    let g = try Conv2dGeometry(batch: 2, inChannels: 256, height: 8, width: 8, outChannels: 16,
                               kernel: (3, 3), padding: (1, 1))
    let input = ConvTestBuffer(randomValues(g.inputCount, seed: 51))
    let weight = ConvTestBuffer(randomValues(g.weightCount, seed: 52))
    let fast = ConvTestBuffer(count: g.outputCount)
    let naive = ConvTestBuffer(count: g.outputCount)
    conv2dForward(input: input.pointer, weight: weight.pointer, bias: nil, output: fast.pointer,
                  geometry: g, workspace: Conv2dWorkspace(), algorithm: .winograd(imagesPerChunk: 2))
    naiveConv2dForward(input: input.pointer, weight: weight.pointer, bias: nil,
                       output: naive.pointer, geometry: g)
    let direct = ConvTestBuffer(count: g.outputCount)
    conv2dForward(input: input.pointer, weight: weight.pointer, bias: nil, output: direct.pointer,
                  geometry: g, workspace: Conv2dWorkspace(), algorithm: .shiftedRows(imagesPerChunk: 2))
    // Measured: 1.1e-5 of the largest output against 3.5e-7 for the shifted-rows GEMMs, the
    // factor of about 30 that Lavin & Gray and NNPACK report for F(4×4, 3×3) in Float.
    #expect(maxScaledError(fast.values, naive.values) < 3e-5)
    #expect(maxScaledError(direct.values, naive.values) < 1e-6)
  }

  /// Each point's GEMMs and each channel's tiles belong to one worker, so the bits do not
  /// depend on the thread count (same seed, any --threads: same run).
  @Test func resultsDoNotDependOnTheThreadCount() throws {
    let g = try Conv2dGeometry(batch: 3, inChannels: 9, height: 8, width: 8, outChannels: 10,
                               kernel: (3, 3), padding: (1, 1))
    let input = ConvTestBuffer(randomValues(g.inputCount, seed: 61))
    let weight = ConvTestBuffer(randomValues(g.weightCount, seed: 62))
    let gradOutput = ConvTestBuffer(randomValues(g.outputCount, seed: 63))
    func run(threads: Int) -> [[Float]] {
      withThreadCount(threads) {
        let output = ConvTestBuffer(count: g.outputCount)
        let gradInput = ConvTestBuffer(count: g.inputCount)
        let gradWeight = ConvTestBuffer([Float](repeating: 0, count: g.weightCount))
        let workspace = Conv2dWorkspace()
        conv2dForward(input: input.pointer, weight: weight.pointer, bias: nil,
                      output: output.pointer, geometry: g, workspace: workspace,
                      algorithm: .winograd(imagesPerChunk: 2))
        conv2dBackward(input: input.pointer, weight: weight.pointer, gradOutput: gradOutput.pointer,
                       gradInput: gradInput.pointer, gradWeight: gradWeight.pointer, gradBias: nil,
                       geometry: g, workspace: workspace, algorithm: .winograd(imagesPerChunk: 2))
        return [output.values, gradInput.values, gradWeight.values]
      }
    }
    let single = run(threads: 1)
    #expect(run(threads: 3) == single)
    #expect(run(threads: 2) == single)
  }

  @Test func onlyDenseThreeByThreeStrideOneIsSupported() throws {
    func geometry(kernel: Int = 3, stride: Int = 1, padding: Int = 1, groups: Int = 1) throws
      -> Conv2dGeometry {
      try Conv2dGeometry(batch: 2, inChannels: 4, height: 8, width: 8, outChannels: 4,
                         kernel: (kernel, kernel), stride: (stride, stride),
                         padding: (padding, padding), groups: groups)
    }
    #expect(try geometry().supportsWinograd)
    #expect(try geometry(padding: 0).supportsWinograd)
    #expect(try !geometry(stride: 2).supportsWinograd)
    #expect(try !geometry(kernel: 5, padding: 2).supportsWinograd)
    #expect(try !geometry(groups: 2).supportsWinograd)
    #expect(try !geometry(padding: 3).supportsWinograd)
    #expect(!Conv2dAlgorithm.winograd(imagesPerChunk: 2).supports(try geometry(stride: 2)))
  }

  @Test func defaultChunkHoldsTheTransformedTilesToAboutTwelveMegabytes() throws {
    // ResNet50's stage 3×3 layers at batch 128: 36 · (inC + outC) · tiles floats per image.
    let sides = [(64, 32), (128, 16), (256, 8), (512, 4)]
    let chunks = try sides.map { channels, side in
      try Conv2dGeometry(batch: 128, inChannels: channels, height: side, width: side,
                         outChannels: channels, kernel: (3, 3), padding: (1, 1))
        .defaultWinogradImagesPerChunk()
    }
    #expect(chunks == [10, 21, 42, 85])
  }
}
