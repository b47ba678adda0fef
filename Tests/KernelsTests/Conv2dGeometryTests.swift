import Kernels
import Testing

@Suite struct Conv2dGeometryTests {
  @Test func outputSizeFollowsPyTorchFormula() throws {
    let g = try Conv2dGeometry(batch: 2, inChannels: 3, height: 32, width: 31, outChannels: 8,
                               kernel: (7, 5), stride: (2, 3), padding: (3, 1))
    // floor((32 + 6 − 7) / 2) + 1 = 16, floor((31 + 2 − 5) / 3) + 1 = 10
    #expect(g.outputShape == [2, 8, 16, 10])
    #expect(g.weightShape == [8, 3, 7, 5])
    #expect(g.columnRows == 105)
    #expect(g.macs == 2 * 8 * 160 * 105)
  }

  @Test func channelsNotDivisibleByGroupsIsRejectedWithTheShapes() {
    #expect {
      try Conv2dGeometry(batch: 1, inChannels: 6, height: 8, width: 8, outChannels: 9,
                         kernel: (3, 3), groups: 4)
    } throws: { error in
      let text = String(describing: error)
      return text.contains("4 groups") && text.contains("6 in") && text.contains("9 out")
        && text.contains("[1, 6, 8, 8]")
    }
  }

  @Test func kernelLargerThanPaddedInputIsRejectedWithTheShapes() {
    #expect {
      try Conv2dGeometry(batch: 2, inChannels: 3, height: 4, width: 9, outChannels: 4,
                         kernel: (7, 3), padding: (1, 0))
    } throws: { error in
      let text = String(describing: error)
      return text.contains("7×3") && text.contains("[2, 3, 4, 9]") && text.contains("6×9")
    }
  }

  @Test(arguments: [
    (0, 1, 1, 0, "batch"), (1, 0, 1, 0, "stride height"), (1, 1, 0, 0, "groups"),
    (1, 1, 1, -1, "padding"),
  ])
  func nonPositiveSizesAreRejected(batch: Int, stride: Int, groups: Int, padding: Int, named: String) {
    #expect {
      try Conv2dGeometry(batch: batch, inChannels: 4, height: 5, width: 5, outChannels: 4,
                         kernel: (3, 3), stride: (stride, 1), padding: (padding, 0), groups: groups)
    } throws: { error in
      String(describing: error).contains(named)
    }
  }

  @Test func validOutputRangeExcludesExactlyThePaddingTaps() {
    for stride in 1...3 {
      for padding in 0...3 {
        for offset in 0...4 where offset <= 2 * padding + 5 {
          let inputSize = 6
          let outputSize = (inputSize + 2 * padding - 5) / stride + 1
          guard outputSize > 0 else { continue }
          let range = Conv2dGeometry.validOutputRange(
            kernelOffset: offset, stride: stride, padding: padding,
            inputSize: inputSize, outputSize: outputSize)
          let expected = (0..<outputSize).filter { o in
            let i = o * stride - padding + offset
            return i >= 0 && i < inputSize
          }
          #expect(Array(range) == expected, "stride \(stride) padding \(padding) offset \(offset)")
        }
      }
    }
  }

  @Test func defaultChunkKeepsGEMMWideAndWorkspaceBounded() throws {
    // 32×32 maps: 8 images give 8192 columns.
    let stage1 = try Conv2dGeometry(batch: 128, inChannels: 64, height: 32, width: 32,
                                    outChannels: 64, kernel: (3, 3), padding: (1, 1))
    #expect(stage1.defaultImagesPerChunk() == 8)
    // 4×4 maps with K = 4608: the column buffer bound (8 Mi floats) wins over the width target.
    let stage4 = try Conv2dGeometry(batch: 128, inChannels: 512, height: 4, width: 4,
                                    outChannels: 512, kernel: (3, 3), padding: (1, 1))
    #expect(stage4.defaultImagesPerChunk() == (8 << 20) / (4608 * 16))
    // Never more than the batch, never less than one image.
    let small = try stage1.withBatch(3)
    #expect(small.defaultImagesPerChunk() == 3)
    let huge = try Conv2dGeometry(batch: 2, inChannels: 3, height: 224, width: 224,
                                  outChannels: 64, kernel: (7, 7), stride: (2, 2), padding: (3, 3))
    #expect(huge.defaultImagesPerChunk() == 1)
  }

  @Test func preferredAlgorithmFollowsTheGeometry() throws {
    let depthwise = try Conv2dGeometry(batch: 8, inChannels: 32, height: 16, width: 16,
                                       outChannels: 32, kernel: (3, 3), padding: (1, 1), groups: 32)
    let wide1x1 = try Conv2dGeometry(batch: 8, inChannels: 64, height: 16, width: 16,
                                     outChannels: 256, kernel: (1, 1))
    let narrow1x1 = try wide1x1.withBatch(8).withSpatialSize(8, 8)
    let strided1x1 = try Conv2dGeometry(batch: 8, inChannels: 64, height: 16, width: 16,
                                        outChannels: 128, kernel: (1, 1), stride: (2, 2))
    let same3x3 = try Conv2dGeometry(batch: 8, inChannels: 64, height: 32, width: 32,
                                     outChannels: 64, kernel: (3, 3), padding: (1, 1))
    let strided3x3 = try Conv2dGeometry(batch: 8, inChannels: 64, height: 32, width: 32,
                                        outChannels: 64, kernel: (3, 3), stride: (2, 2), padding: (1, 1))
    #expect(Conv2dAlgorithm.preferredOpenBLAS(for: depthwise) == .direct)
    #expect(Conv2dAlgorithm.preferredOpenBLAS(for: same3x3)
            == .winograd(imagesPerChunk: same3x3.defaultWinogradImagesPerChunk()))
    let thin3x3 = try Conv2dGeometry(batch: 8, inChannels: 7, height: 32, width: 32,
                                     outChannels: 64, kernel: (3, 3), padding: (1, 1))
    #expect(Conv2dAlgorithm.preferredOpenBLAS(for: thin3x3)
            == .shiftedRows(imagesPerChunk: thin3x3.defaultShiftedRowsImagesPerChunk()))
    #expect(Conv2dAlgorithm.preferredOpenBLAS(for: strided3x3)
            == .im2colGEMM(imagesPerChunk: strided3x3.defaultImagesPerChunk()))
    #expect(Conv2dAlgorithm.preferredOpenBLAS(for: wide1x1) == .pointwiseDirect)
    #expect(Conv2dAlgorithm.preferredOpenBLAS(for: narrow1x1) == .im2colGEMM(imagesPerChunk: 8))
    #expect(Conv2dAlgorithm.preferredOpenBLAS(for: strided1x1) == .im2colGEMM(imagesPerChunk: 8))
    // Which library: oneDNN for dense k×k convolutions of ≥ 256 M multiply-accumulates, except
    // stride-1 3×3 ones, which our Winograd kernel computes.
    #expect(same3x3.macs >= 256 << 20 && !ConvolutionLibrary.automatic.servesWithOneDNN(same3x3))
    let same5x5 = try Conv2dGeometry(batch: 8, inChannels: 64, height: 32, width: 32,
                                     outChannels: 64, kernel: (5, 5), padding: (2, 2))
    #expect(ConvolutionLibrary.automatic.servesWithOneDNN(same5x5))  // 839 M MACs
    #expect(ConvolutionLibrary.automatic.servesWithOneDNN(try strided3x3.withBatch(32)))  // 302 M
    let large1x1 = try wide1x1.withBatch(64)
    #expect(large1x1.macs >= 256 << 20 && !ConvolutionLibrary.automatic.servesWithOneDNN(large1x1))
    #expect(!ConvolutionLibrary.automatic.servesWithOneDNN(strided3x3))  // 75 M
    #expect(!ConvolutionLibrary.automatic.servesWithOneDNN(try same3x3.withBatch(2)))
    let depthwiseLarge = try depthwise.withBatch(4096)
    #expect(depthwiseLarge.macs >= 256 << 20 && !ConvolutionLibrary.automatic.servesWithOneDNN(depthwiseLarge))
    // Stems (k×k on ≤ 4 image channels) go to oneDNN whatever their size; a 1×1 on 3 does not.
    let stem = try Conv2dGeometry(batch: 2, inChannels: 3, height: 32, width: 32,
                                  outChannels: 16, kernel: (3, 3), padding: (1, 1))
    #expect(stem.macs < 256 << 20 && ConvolutionLibrary.automatic.servesWithOneDNN(stem))
    #expect(!ConvolutionLibrary.automatic.servesWithOneDNN(
      try Conv2dGeometry(batch: 2, inChannels: 3, height: 32, width: 32, outChannels: 16, kernel: (1, 1))))
    // Depthwise: oneDNN from 4×4 inputs to 8×8 outputs only.
    #expect(!ConvolutionLibrary.automatic.servesWithOneDNN(depthwise))  // 16×16 output
    #expect(ConvolutionLibrary.automatic.servesWithOneDNN(try depthwise.withSpatialSize(8, 8)))
    #expect(ConvolutionLibrary.automatic.servesWithOneDNN(try depthwise.withSpatialSize(4, 4)))
    #expect(!ConvolutionLibrary.automatic.servesWithOneDNN(try depthwise.withSpatialSize(2, 2)))
    let stridedDepthwise = try Conv2dGeometry(batch: 8, inChannels: 32, height: 16, width: 16,
                                              outChannels: 32, kernel: (3, 3), stride: (2, 2),
                                              padding: (1, 1), groups: 32)
    #expect(ConvolutionLibrary.automatic.servesWithOneDNN(stridedDepthwise))  // 16×16 → 8×8
    #expect(!ConvolutionLibrary.openBLAS.servesWithOneDNN(same3x3))
    #expect(ConvolutionLibrary.oneDNN.servesWithOneDNN(depthwise))
    #expect(Conv2dAlgorithm.preferred(for: same3x3)
            == (ConvolutionLibrary.current.servesWithOneDNN(same3x3) ? .oneDNN
                : .preferredOpenBLAS(for: same3x3)))
  }
}

extension Conv2dGeometry {
  fileprivate func withSpatialSize(_ height: Int, _ width: Int) throws -> Conv2dGeometry {
    try Conv2dGeometry(
      batch: batch, inChannels: inChannels, height: height, width: width,
      outChannels: outChannels, kernel: (kernelHeight, kernelWidth),
      stride: (strideHeight, strideWidth), padding: (paddingHeight, paddingWidth), groups: groups)
  }
}
