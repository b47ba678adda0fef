import Kernels
import Testing
import TestSupport

@Suite struct Conv2dShiftedRowsTests {
  static let cases: [ConvCase] = [
    // 3×3 "same" (Wo = W: dY comes from the transposed planes); 5 images in chunks of 2, the
    // last chunk short; one image per chunk writes in place.
    ConvCase(5, 3, 7, 9, out: 5, kernel: (3, 3), padding: (1, 1), algorithm: .shiftedRows(imagesPerChunk: 2)),
    ConvCase(2, 4, 6, 6, out: 3, kernel: (3, 3), padding: (1, 1), bias: false,
             algorithm: .shiftedRows(imagesPerChunk: 1)),
    ConvCase(3, 4, 4, 4, out: 6, kernel: (3, 3), padding: (1, 1), algorithm: .shiftedRows(imagesPerChunk: 3)),
    // Rows wider than a SIMD vector, a whole batch in one chunk.
    ConvCase(3, 2, 5, 19, out: 3, kernel: (3, 3), padding: (1, 1), algorithm: .shiftedRows(imagesPerChunk: 8)),
    // No padding (Wo < W: dY is gathered), and padding = kernel − 1 (no rows between images).
    ConvCase(3, 3, 8, 7, out: 4, kernel: (3, 3), algorithm: .shiftedRows(imagesPerChunk: 2)),
    ConvCase(3, 2, 5, 6, out: 3, kernel: (2, 2), padding: (1, 1), algorithm: .shiftedRows(imagesPerChunk: 2)),
    // Rectangular kernels with uneven paddings, a single-row kernel, a 5×5.
    ConvCase(3, 3, 9, 10, out: 4, kernel: (2, 5), padding: (0, 2), algorithm: .shiftedRows(imagesPerChunk: 2)),
    ConvCase(4, 2, 8, 13, out: 3, kernel: (5, 3), padding: (2, 0), bias: false,
             algorithm: .shiftedRows(imagesPerChunk: 3)),
    ConvCase(2, 3, 4, 9, out: 2, kernel: (1, 3), padding: (0, 1), algorithm: .shiftedRows(imagesPerChunk: 2)),
    ConvCase(3, 2, 7, 7, out: 2, kernel: (5, 5), padding: (2, 2), algorithm: .shiftedRows(imagesPerChunk: 2)),
    // Grouped, multi-image and single-image chunks.
    ConvCase(3, 4, 6, 7, out: 6, kernel: (3, 3), padding: (1, 1), groups: 2,
             algorithm: .shiftedRows(imagesPerChunk: 2)),
    ConvCase(2, 8, 5, 5, out: 8, kernel: (3, 3), padding: (1, 1), groups: 4, bias: false,
             algorithm: .shiftedRows(imagesPerChunk: 1)),
  ]

  @Test(arguments: cases)
  func shiftedRowsMatchesNaiveReference(_ convCase: ConvCase) {
    convCase.expectMatchesNaiveReference()
  }

  @Test func backwardWithoutInputGradientMatchesNaiveWeightGradient() {
    let g = try! Conv2dGeometry(batch: 3, inChannels: 3, height: 6, width: 6, outChannels: 4,
                                kernel: (3, 3), padding: (1, 1))
    let input = ConvTestBuffer(randomValues(g.inputCount, seed: 71))
    let weight = ConvTestBuffer(randomValues(g.weightCount, seed: 72))
    let gradOutput = ConvTestBuffer(randomValues(g.outputCount, seed: 73))
    let fast = ConvTestBuffer(randomValues(g.weightCount, seed: 74))
    let naive = ConvTestBuffer(fast.values)
    let scratchInput = ConvTestBuffer(count: g.inputCount)
    conv2dBackward(input: input.pointer, weight: weight.pointer, gradOutput: gradOutput.pointer,
                   gradInput: nil, gradWeight: fast.pointer, gradBias: nil, geometry: g,
                   workspace: Conv2dWorkspace(), algorithm: .shiftedRows(imagesPerChunk: 2))
    naiveConv2dBackward(input: input.pointer, weight: weight.pointer, gradOutput: gradOutput.pointer,
                        gradInput: scratchInput.pointer, gradWeight: naive.pointer, gradBias: nil,
                        geometry: g)
    #expect(maxRelativeError(fast.values, naive.values) < 1e-4)
  }

  @Test func defaultChunkHoldsTheShiftedPlanesToAboutFourMegabytes() throws {
    // ResNet50 stage 3×3 convolutions at batch 128: planes of C·3 rows × (n·(H+1)+1)·W floats.
    let sides = [(64, 32), (128, 16), (256, 8), (512, 4)]
    let chunks = try sides.map { channels, side in
      try Conv2dGeometry(batch: 128, inChannels: channels, height: side, width: side,
                         outChannels: channels, kernel: (3, 3), padding: (1, 1))
        .defaultShiftedRowsImagesPerChunk()
    }
    #expect(chunks == [5, 10, 18, 34])
    let small = try Conv2dGeometry(batch: 3, inChannels: 2, height: 4, width: 4, outChannels: 2,
                                   kernel: (3, 3), padding: (1, 1))
    #expect(small.defaultShiftedRowsImagesPerChunk() == 3)
  }

  @Test func onlyStrideOneWithPaddingBelowTheKernelIsSupported() throws {
    let same = try Conv2dGeometry(batch: 2, inChannels: 4, height: 8, width: 8, outChannels: 4,
                                  kernel: (3, 3), padding: (1, 1))
    let strided = try Conv2dGeometry(batch: 2, inChannels: 4, height: 8, width: 8, outChannels: 4,
                                     kernel: (3, 3), stride: (2, 2), padding: (1, 1))
    let overPadded = try Conv2dGeometry(batch: 2, inChannels: 4, height: 8, width: 8,
                                        outChannels: 4, kernel: (3, 3), padding: (3, 1))
    let pointwise = try Conv2dGeometry(batch: 2, inChannels: 4, height: 8, width: 8,
                                       outChannels: 4, kernel: (1, 1))
    #expect(same.supportsShiftedRows)
    #expect(!strided.supportsShiftedRows)
    #expect(!overPadded.supportsShiftedRows)
    #expect(!pointwise.supportsShiftedRows)
    #expect(!Conv2dAlgorithm.shiftedRows(imagesPerChunk: 2).supports(strided))
  }
}
