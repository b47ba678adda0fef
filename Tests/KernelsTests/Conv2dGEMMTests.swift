import Kernels
import Testing
import TestSupport

@Suite struct Conv2dGEMMTests {
  static let generalCases: [ConvCase] = [
    // 3 images in chunks of 2: the last chunk is short.
    ConvCase(3, 3, 7, 9, out: 5, kernel: (3, 3), padding: (1, 1), algorithm: .im2colGEMM(imagesPerChunk: 2)),
    ConvCase(2, 4, 11, 8, out: 6, kernel: (3, 3), stride: (2, 2), padding: (1, 1), bias: false,
             algorithm: .im2colGEMM(imagesPerChunk: 8)),
    // Rectangular kernels, strides and paddings; one image per chunk writes in place.
    ConvCase(2, 3, 9, 10, out: 4, kernel: (2, 5), stride: (2, 1), padding: (0, 2),
             algorithm: .im2colGEMM(imagesPerChunk: 1)),
    ConvCase(3, 2, 8, 13, out: 3, kernel: (5, 3), stride: (1, 3), padding: (2, 0), bias: false,
             algorithm: .im2colGEMM(imagesPerChunk: 2)),
    // A 7×7 stride-2 stem on an odd-sized image, rows wider than one SIMD vector.
    ConvCase(2, 3, 15, 21, out: 4, kernel: (7, 7), stride: (2, 2), padding: (3, 3),
             algorithm: .im2colGEMM(imagesPerChunk: 2)),
    // Kernel larger than the input but not than the padded input; padding wider than needed.
    ConvCase(2, 2, 3, 3, out: 3, kernel: (5, 5), padding: (1, 1), algorithm: .im2colGEMM(imagesPerChunk: 2)),
    ConvCase(1, 2, 4, 4, out: 2, kernel: (3, 3), stride: (2, 2), padding: (2, 2), algorithm: .im2colGEMM(imagesPerChunk: 1)),
    // Grouped: 2 and 4 groups, with multi-image and single-image chunks.
    ConvCase(3, 4, 6, 7, out: 6, kernel: (3, 3), padding: (1, 1), groups: 2,
             algorithm: .im2colGEMM(imagesPerChunk: 2)),
    ConvCase(2, 8, 5, 5, out: 8, kernel: (3, 3), stride: (2, 2), padding: (1, 1), groups: 4,
             bias: false, algorithm: .im2colGEMM(imagesPerChunk: 1)),
    ConvCase(5, 8, 6, 6, out: 12, kernel: (3, 3), padding: (1, 1), groups: 4,
             algorithm: .im2colGEMM(imagesPerChunk: 2)),
    // Depthwise through the general path (cross-checks the direct kernel's geometry).
    ConvCase(3, 4, 7, 6, out: 8, kernel: (3, 3), stride: (2, 1), padding: (1, 1), groups: 4,
             algorithm: .im2colGEMM(imagesPerChunk: 2)),
  ]

  static let pointwiseCases: [ConvCase] = [
    // Direct: one sgemm per image on the NCHW buffers (Ho·Wo ≥ 256).
    ConvCase(3, 5, 16, 16, out: 7, kernel: (1, 1), algorithm: .pointwiseDirect),
    ConvCase(2, 4, 16, 17, out: 6, kernel: (1, 1), groups: 2, bias: false, algorithm: .pointwiseDirect),
    // Packed: small maps gathered into [C, chunk · H·W] so the GEMM stays wide.
    ConvCase(5, 6, 5, 5, out: 4, kernel: (1, 1), algorithm: .im2colGEMM(imagesPerChunk: 2)),
    ConvCase(3, 6, 4, 4, out: 8, kernel: (1, 1), groups: 2, bias: false,
             algorithm: .im2colGEMM(imagesPerChunk: 3)),
    // Strided 1×1 (ResNet downsample shortcut): a strided gather through im2col.
    ConvCase(3, 6, 9, 9, out: 8, kernel: (1, 1), stride: (2, 2), bias: false,
             algorithm: .im2colGEMM(imagesPerChunk: 2)),
    // 1×1 with padding is not pointwise: the border outputs see only the bias.
    ConvCase(2, 3, 4, 5, out: 2, kernel: (1, 1), padding: (1, 1), algorithm: .im2colGEMM(imagesPerChunk: 2)),
  ]

  @Test(arguments: generalCases)
  func im2colGEMMMatchesNaiveReference(_ convCase: ConvCase) {
    convCase.expectMatchesNaiveReference()
  }

  @Test(arguments: pointwiseCases)
  func pointwiseConvolutionMatchesNaiveReference(_ convCase: ConvCase) {
    convCase.expectMatchesNaiveReference()
  }

  @Test(arguments: [1, 2, 3])
  func defaultAlgorithmMatchesNaiveReferenceWithOddBatch(batch: Int) {
    // Whatever chunking `preferred` picks for small maps must handle any batch size.
    let g = try! Conv2dGeometry(batch: batch, inChannels: 3, height: 6, width: 5,
                                outChannels: 4, kernel: (3, 3), padding: (1, 1))
    let algorithm = Conv2dAlgorithm.preferred(for: g)
    ConvCase(batch, 3, 6, 5, out: 4, kernel: (3, 3), padding: (1, 1), algorithm: algorithm)
      .expectMatchesNaiveReference()
  }

  /// col2im is im2col's adjoint: ⟨im2col(x), y⟩ = ⟨x, col2im(y)⟩ for every x and y.
  @Test(arguments: [(0, 3), (1, 2)])
  func col2imIsTheAdjointOfIm2col(group: Int, firstImage: Int) {
    let g = try! Conv2dGeometry(batch: 4, inChannels: 4, height: 7, width: 6, outChannels: 2,
                                kernel: (3, 2), stride: (2, 1), padding: (1, 1), groups: 2)
    let imageCount = g.batch - firstImage
    let columnCount = g.columnRows * imageCount * g.outputPlane
    let x = ConvTestBuffer(randomValues(g.inputCount, seed: 21))
    let y = ConvTestBuffer(randomValues(columnCount, seed: 22))
    let columns = ConvTestBuffer(count: columnCount)
    let back = ConvTestBuffer([Float](repeating: 0, count: g.inputCount))
    im2col(input: x.pointer, geometry: g, group: group, firstImage: firstImage,
           imageCount: imageCount, columns: columns.pointer)
    col2im(columns: y.pointer, geometry: g, group: group, firstImage: firstImage,
           imageCount: imageCount, gradInput: back.pointer)
    let forward = dot(columns.pointer, y.pointer, count: columnCount)
    let adjoint = dot(x.pointer, back.pointer, count: g.inputCount)
    #expect(abs(forward - adjoint) < 1e-4 * max(1, abs(forward)))
    // Planes outside the chunk and the group stay untouched (still zero).
    let plane = g.inputPlane
    let untouched = (0..<g.batch).flatMap { image in
      (0..<g.inChannels).compactMap { channel -> Int? in
        let inside = image >= firstImage && channel / g.inChannelsPerGroup == group
        return inside ? nil : (image * g.inChannels + channel) * plane
      }
    }
    #expect(untouched.allSatisfy { start in (start..<start + plane).allSatisfy { back.pointer[$0] == 0 } })
  }

  @Test func workspaceIsReusedOnceWarm() {
    let g = try! Conv2dGeometry(batch: 4, inChannels: 3, height: 8, width: 8, outChannels: 4,
                                kernel: (3, 3), padding: (1, 1))
    let input = ConvTestBuffer(randomValues(g.inputCount, seed: 31))
    let weight = ConvTestBuffer(randomValues(g.weightCount, seed: 32))
    let output = ConvTestBuffer(count: g.outputCount)
    let workspace = Conv2dWorkspace()
    conv2dGEMMForward(input: input.pointer, weight: weight.pointer, bias: nil,
                      output: output.pointer, geometry: g, workspace: workspace, imagesPerChunk: 2)
    let warm = workspace.floats(0)
    let capacity = workspace.capacity
    // K · 2 images · 64 columns plus the gathered [outC, 128] result.
    #expect(capacity == 27 * 128 + 4 * 128)
    conv2dGEMMForward(input: input.pointer, weight: weight.pointer, bias: nil,
                      output: output.pointer, geometry: g, workspace: workspace, imagesPerChunk: 2)
    #expect(workspace.capacity == capacity)
    #expect(workspace.floats(0) == warm)
  }
}
