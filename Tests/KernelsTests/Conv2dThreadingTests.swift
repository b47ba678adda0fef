import Kernels
import Testing
import TestSupport

// The thread count is process-wide and other suites may reset it while these tests run; that can
// only make a check here weaker (both runs single-threaded), never fail it wrongly.
@Suite(.serialized) struct Conv2dThreadingTests {
  static let gemmCases: [ConvCase] = [
    ConvCase(4, 8, 16, 16, out: 16, kernel: (3, 3), padding: (1, 1),
             algorithm: .im2colGEMM(imagesPerChunk: 2)),
    ConvCase(4, 8, 12, 12, out: 8, kernel: (3, 3), stride: (2, 2), padding: (1, 1), groups: 2,
             algorithm: .im2colGEMM(imagesPerChunk: 3)),
    ConvCase(4, 16, 16, 16, out: 24, kernel: (1, 1), algorithm: .pointwiseDirect),
    ConvCase(5, 8, 12, 12, out: 16, kernel: (3, 3), padding: (1, 1),
             algorithm: .shiftedRows(imagesPerChunk: 2)),
  ]

  /// The depthwise kernel and the bias reduction use no BLAS: every worker writes disjoint
  /// indices and every reduction runs in a fixed order, so thread counts must agree bit for bit.
  @Test func depthwiseResultsAreIdenticalWithOneAndTwoThreads() {
    let convCase = ConvCase(4, 16, 16, 16, out: 16, kernel: (3, 3), stride: (2, 2),
                            padding: (1, 1), groups: 16, algorithm: .direct)
    let single = runForwardAndBackward(convCase, threads: 1)
    let double = runForwardAndBackward(convCase, threads: 2)
    #expect(single.mismatches(double) == [0, 0, 0, 0])
  }

  /// The pointwise path splits the images between workers (5 images on 3 workers: 1, 2 and 2)
  /// and sums their weight-gradient partials: still the reference's convolution, groups too.
  @Test(arguments: [
    ConvCase(5, 6, 16, 16, out: 10, kernel: (1, 1), algorithm: .pointwiseDirect),
    ConvCase(5, 8, 16, 17, out: 6, kernel: (1, 1), groups: 2, bias: false, algorithm: .pointwiseDirect),
  ])
  func pointwiseImagesSplitBetweenWorkersMatchTheReference(_ convCase: ConvCase) {
    withThreadCount(3) { convCase.expectMatchesNaiveReference() }
  }

  /// im2col and col2im (the non-BLAS half of the GEMM path) split rows and planes across workers
  /// without changing any sum's order.
  @Test func im2colAndCol2imAreIdenticalWithOneAndTwoThreads() {
    let g = try! Conv2dGeometry(batch: 4, inChannels: 8, height: 16, width: 16, outChannels: 8,
                                kernel: (3, 3), stride: (2, 1), padding: (1, 1))
    let input = ConvTestBuffer(randomValues(g.inputCount, seed: 61))
    let columnCount = g.columnRows * g.batch * g.outputPlane
    let gradColumns = ConvTestBuffer(randomValues(columnCount, seed: 62))
    func run(threads: Int) -> (columns: [Float], gradInput: [Float]) {
      Threading.setThreadCount(threads)
      defer { Threading.setThreadCount(1) }
      let columns = ConvTestBuffer(count: columnCount)
      let gradInput = ConvTestBuffer(count: g.inputCount)
      im2col(input: input.pointer, geometry: g, group: 0, firstImage: 0, imageCount: g.batch,
             columns: columns.pointer)
      col2im(columns: gradColumns.pointer, geometry: g, group: 0, firstImage: 0,
             imageCount: g.batch, gradInput: gradInput.pointer)
      return (columns.values, gradInput.values)
    }
    let single = run(threads: 1)
    let double = run(threads: 2)
    #expect(mismatchCount(single.columns, double.columns) == 0)
    #expect(mismatchCount(single.gradInput, double.gradInput) == 0)
  }

  /// OpenBLAS partitions a GEMM differently with two threads and rounds differently (measured:
  /// most elements of a 16 × 512 × 72 sgemm differ in the last bits), so the GEMM paths are exact
  /// only for a fixed thread count: repeat runs must agree bit for bit, thread counts to rounding.
  @Test(arguments: gemmCases)
  func gemmPathsRepeatExactlyAndAgreeAcrossThreadCounts(_ convCase: ConvCase) {
    let single = runForwardAndBackward(convCase, threads: 1)
    let double = runForwardAndBackward(convCase, threads: 2)
    let doubleAgain = runForwardAndBackward(convCase, threads: 2)
    #expect(double.mismatches(doubleAgain) == [0, 0, 0, 0])
    #expect(maxRelativeError(double.output, single.output) < 1e-5)
    #expect(maxRelativeError(double.gradInput, single.gradInput) < 1e-5)
    #expect(maxRelativeError(double.gradWeight, single.gradWeight) < 1e-5)
    #expect(mismatchCount(double.gradBias, single.gradBias) == 0)
  }
}

private struct ConvResults {
  var output, gradInput, gradWeight, gradBias: [Float]

  /// Differing elements in each of output, gradInput, gradWeight and gradBias.
  func mismatches(_ other: ConvResults) -> [Int] {
    [mismatchCount(output, other.output), mismatchCount(gradInput, other.gradInput),
     mismatchCount(gradWeight, other.gradWeight), mismatchCount(gradBias, other.gradBias)]
  }
}

/// Elements that are not bit-identical (a NaN never matches).
private func mismatchCount(_ a: [Float], _ b: [Float]) -> Int {
  precondition(a.count == b.count)
  return zip(a, b).count { $0.bitPattern != $1.bitPattern || $0.isNaN }
}

private func runForwardAndBackward(_ convCase: ConvCase, threads: Int) -> ConvResults {
  Threading.setThreadCount(threads)
  defer { Threading.setThreadCount(1) }
  let g = convCase.geometry
  let input = ConvTestBuffer(randomValues(g.inputCount, seed: 51))
  let weight = ConvTestBuffer(randomValues(g.weightCount, seed: 52))
  let bias = ConvTestBuffer(randomValues(g.outChannels, seed: 53))
  let gradOutput = ConvTestBuffer(randomValues(g.outputCount, seed: 54))
  let output = ConvTestBuffer(count: g.outputCount)
  let gradInput = ConvTestBuffer(count: g.inputCount)
  let gradWeight = ConvTestBuffer([Float](repeating: 0, count: g.weightCount))
  let gradBias = ConvTestBuffer([Float](repeating: 0, count: g.outChannels))
  let workspace = Conv2dWorkspace()
  conv2dForward(input: input.pointer, weight: weight.pointer, bias: bias.pointer,
                output: output.pointer, geometry: g, workspace: workspace,
                algorithm: convCase.algorithm)
  conv2dBackward(input: input.pointer, weight: weight.pointer, gradOutput: gradOutput.pointer,
                 gradInput: gradInput.pointer, gradWeight: gradWeight.pointer,
                 gradBias: gradBias.pointer, geometry: g, workspace: workspace,
                 algorithm: convCase.algorithm)
  return ConvResults(output: output.values, gradInput: gradInput.values,
                     gradWeight: gradWeight.values, gradBias: gradBias.values)
}
