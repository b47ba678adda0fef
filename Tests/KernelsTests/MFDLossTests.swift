import CBLAS
import Kernels
import Testing
import TestSupport

@Suite(.serialized) struct MFDLossTests {  // two tests set the process-wide thread count
  /// Shapes with C = 1, C = 2, odd C, H·W = 1, B = 2, and large values with a common offset.
  static let cases: [(MFDShape, Float, Float)] = [
    (MFDShape(2, 1, 3, 3), 1, 0),
    (MFDShape(2, 2, 2, 3), 1, 0),
    (MFDShape(3, 5, 3, 3), 1, 0),
    (MFDShape(7, 6, 1, 1), 1, 0),
    (MFDShape(2, 4, 4, 4), 1, 0),
    (MFDShape(5, 9, 2, 3), 50, 0),
    (MFDShape(4, 7, 3, 2), 1, 1000),
    (MFDShape(16, 33, 3, 5), 2, 0.5),
  ]

  @Test(arguments: cases)
  func lossMatchesNaiveReference(shape: MFDShape, amplitude: Float, offset: Float) {
    let x = mfdInput(shape, seed: 11, amplitude: amplitude, offset: offset)
    let expected = naiveLoss(x, shape)
    #expect(relativeError(Double(kernelLoss(x, shape)), expected) < 1e-4)
    if shape.channels > 1 { #expect(expected > 0) }
  }

  @Test(arguments: cases)
  func gradientMatchesNaiveReference(shape: MFDShape, amplitude: Float, offset: Float) {
    let x = mfdInput(shape, seed: 12, amplitude: amplitude, offset: offset)
    let (_, gradient) = kernelLossAndGradient(x, shape)
    let expected = naiveGradient(x, shape)
    #expect(maxScaledError(gradient, expected, floor: 1e-12) < 1e-4)
  }

  /// Channel 1 is zero everywhere (a dead ReLU channel); channel 3 is a non-zero constant, which
  /// is also dead once centred. Both keep counting in C(C−1).
  static func inputWithDeadChannels(_ shape: MFDShape) -> [Float] {
    var x = mfdInput(shape, seed: 21)
    setChannel(&x, shape, 1, to: 0)
    setChannel(&x, shape, 3, to: 2.9)  // Σx/B ≠ x in Float for B = 3 and 7
    return x
  }

  @Test(arguments: [MFDShape(3, 5, 2, 2), MFDShape(7, 6, 3, 1)])
  func gradientMatchesFiniteDifferenceWithDeadChannels(shape: MFDShape) {
    var x = Self.inputWithDeadChannels(shape)
    let (loss, gradient) = kernelLossAndGradient(x, shape)
    #expect(loss > 0 && loss.isFinite)
    #expect(relativeError(Double(loss), naiveLoss(x, shape)) < 1e-4)
    #expect(gradient.allSatisfy { $0.isFinite })
    for b in 0..<shape.batch {
      for p in 0..<shape.pixels {
        #expect(gradient[shape.index(b, 1, p)] == 0)
        #expect(gradient[shape.index(b, 3, p)] == 0)
      }
    }
    #expect(maxScaledError(gradient, naiveGradient(x, shape)) < 1e-4)

    let workspace = MFDWorkspace()
    let numeric = x.withUnsafeMutableBufferPointer { buffer in
      finiteDifferenceGradient(at: buffer.baseAddress!, count: shape.count, step: 1e-2) {
        Double(mfdLossForward(input: buffer.baseAddress!, batch: shape.batch, channels: shape.channels,
                              pixels: shape.pixels, workspace: workspace))
      }
    }
    #expect(maxScaledError(gradient, numeric) < 1e-2)
  }

  /// Channels of amplitude 1e-7 have n_i n_j < N·EPS, so every pair is clamped: R = G/(N·EPS),
  /// the gradient flows through G_ij only, and the reference's unclamped formula does not apply.
  /// Checked against central differences of the Double reference, step 1 % of the amplitude.
  @Test func clampedPairsGradientMatchesFiniteDifferenceOfNaiveLoss() {
    let shape = MFDShape(4, 3, 2, 2)
    var x = mfdInput(shape, seed: 31, amplitude: 1e-7)
    let (loss, gradient) = kernelLossAndGradient(x, shape)
    #expect(loss > 0)
    #expect(relativeError(Double(loss), naiveLoss(x, shape)) < 1e-4)
    let numeric = x.withUnsafeMutableBufferPointer { buffer in
      finiteDifferenceGradient(at: buffer.baseAddress!, count: shape.count, step: 1e-9) {
        naiveMFDLoss(input: buffer.baseAddress!, batch: shape.batch, channels: shape.channels,
                     pixels: shape.pixels)
      }
    }
    #expect(maxScaledError(gradient, numeric) < 1e-2)
    #expect(maxScaledError(naiveGradient(x, shape), numeric) > 0.5)  // the unclamped formula is wrong here
  }

  @Test(arguments: [
    ("all zeros", MFDShape(2, 3, 2, 2)),
    ("one sample", MFDShape(1, 3, 2, 2)),
    ("one channel", MFDShape(5, 1, 3, 3)),
  ])
  func degenerateInputsGiveZeroLossAndGradient(name: String, shape: MFDShape) {
    let x = name == "all zeros" ? [Float](repeating: 0, count: shape.count) : mfdInput(shape, seed: 41)
    let (loss, gradient) = kernelLossAndGradient(x, shape)
    #expect(loss == 0)
    #expect(gradient.allSatisfy { $0 == 0 })
  }

  /// L is invariant to rescaling a channel, so ⟨dL/dZ_i, Z_i⟩ = 0; and since dL/dX sums to zero
  /// over the batch, ⟨dL/dX_i, X_i⟩ = ⟨dL/dZ_i, Z_i⟩.
  @Test func gradientIsOrthogonalToEachChannelAndSumsToZeroOverTheBatch() {
    let shape = MFDShape(6, 7, 3, 3)
    let x = mfdInput(shape, seed: 51, amplitude: 1, offset: 0.5)
    let (_, gradient) = kernelLossAndGradient(x, shape)
    let largest = Double(gradient.map { abs($0) }.max()!)
    #expect(largest > 0)
    for c in 0..<shape.channels {
      var inner = 0.0, gradientNorm = 0.0, inputNorm = 0.0
      for b in 0..<shape.batch {
        for p in 0..<shape.pixels {
          let (g, v) = (Double(gradient[shape.index(b, c, p)]), Double(x[shape.index(b, c, p)]))
          inner += g * v
          gradientNorm += g * g
          inputNorm += v * v
        }
      }
      #expect(abs(inner) < 1e-5 * (gradientNorm * inputNorm).squareRoot())
      for p in 0..<shape.pixels {
        let sum = (0..<shape.batch).reduce(0.0) { $0 + Double(gradient[shape.index($1, c, p)]) }
        #expect(abs(sum) < 1e-5 * largest)
      }
    }
  }

  /// For i.i.d. Gaussian X each R_ij is the cosine of two isotropic vectors in (B−1)·N
  /// dimensions, so E[L] = 1/((B−1)·N) exactly. 496 pairs × 8 draws put the estimate's
  /// standard error near 2 %.
  @Test func gaussianLossAveragesOneOverDegreesOfFreedom() {
    let shape = MFDShape(8, 32, 4, 4)
    let workspace = MFDWorkspace()
    let draws = 8
    let mean = (0..<draws).reduce(0.0) { sum, draw in
      sum + Double(kernelLoss(gaussianInput(shape, seed: 60 + UInt64(draw)), shape, workspace: workspace))
    } / Double(draws)
    let expected = 1 / Double((shape.batch - 1) * shape.pixels)
    #expect(relativeError(mean, expected) < 0.1)
  }

  /// Correlations ignore each channel's scale (including its sign) and offset.
  @Test func lossIsInvariantToChannelScaleAndOffset() {
    let shape = MFDShape(5, 4, 3, 2)
    let x = mfdInput(shape, seed: 71)
    let scales: [Float] = [7.5, -0.25, 3, 1e3]
    let offsets: [Float] = [2, -40, 0.5, 1e3]
    var transformed = x
    for b in 0..<shape.batch {
      for c in 0..<shape.channels {
        for p in 0..<shape.pixels {
          transformed[shape.index(b, c, p)] = scales[c] * x[shape.index(b, c, p)] + offsets[c]
        }
      }
    }
    let original = Double(kernelLoss(x, shape))
    #expect(relativeError(Double(kernelLoss(transformed, shape)), original) < 1e-4)
    #expect(relativeError(Double(kernelLoss(x.map { 0.01 * $0 }, shape)), original) < 1e-4)
  }

  /// One and two workers split the observations differently, so their sums round differently,
  /// but both equal the reference; with a dead channel the dead row and column stay exactly 0.
  @Test(arguments: [1, 2, 3])
  func oneAndTwoWorkersAgree(threads: Int) {
    let shape = MFDShape(7, 70, 3, 3)
    var x = mfdInput(shape, seed: 81, amplitude: 1, offset: 3)
    setChannel(&x, shape, 5, to: 2.5)
    let (loss, gradient) = withThreadCount(threads) { kernelLossAndGradient(x, shape) }
    #expect(relativeError(Double(loss), naiveLoss(x, shape)) < 1e-4)
    #expect(maxRelativeError(gradient, naiveGradient(x, shape)) < 1e-3)
    for b in 0..<shape.batch {
      for p in 0..<shape.pixels { #expect(gradient[shape.index(b, 5, p)] == 0) }
    }
  }

  /// With a fixed thread count (BLAS included) repeated runs are bit-identical.
  @Test func repeatedRunsWithTwoThreadsAreBitIdentical() {
    let shape = MFDShape(8, 150, 4, 3)
    let x = mfdInput(shape, seed: 82)
    let previous = Threading.threadCount
    defer { Threading.setThreadCount(previous) }
    Threading.setThreadCount(2)
    let first = kernelLossAndGradient(x, shape)
    let second = kernelLossAndGradient(x, shape)
    #expect(first.loss == second.loss)
    #expect(first.gradient == second.gradient)
  }

  /// One workspace serving shapes that grow, shrink and repeat gives the same answers as fresh ones.
  @Test func workspaceServesChangingShapes() {
    let workspace = MFDWorkspace()
    for shape in [MFDShape(3, 4, 2, 2), MFDShape(5, 9, 3, 3), MFDShape(2, 3, 1, 1), MFDShape(3, 4, 2, 2)] {
      let x = mfdInput(shape, seed: 91)
      let reused = kernelLossAndGradient(x, shape, workspace: workspace)
      let fresh = kernelLossAndGradient(x, shape)
      #expect(reused.loss == fresh.loss)
      #expect(reused.gradient == fresh.gradient)
    }
  }

  /// Backward computes gradOutput + scale·dL/dX, leaving gradOutput alone when the buffers differ.
  @Test(arguments: [MFDShape(3, 64, 2, 2), MFDShape(3, 70, 2, 1), MFDShape(9, 33, 5, 5)])
  func gramsOfSeveralShapesMatchNaiveReference(shape: MFDShape) {
    let x = mfdInput(shape, seed: 93)
    let (loss, gradient) = kernelLossAndGradient(x, shape)
    #expect(abs(Double(loss) - naiveLoss(x, shape)) < 1e-4 * naiveLoss(x, shape))
    #expect(maxRelativeError(gradient, naiveGradient(x, shape)) < 1e-3)
  }

  @Test(arguments: [1, 2, 3])
  func chunkedLossAndGradientMatchNaiveReference(samplesPerChunk: Int) {
    // 7 samples in chunks of 1, 2 or 3 (per worker: the last chunk is short); neither the loss
    // nor the gradient may depend on the chunking beyond GEMM rounding.
    let shape = MFDShape(7, 5, 3, 2)
    let x = mfdInput(shape, seed: 91)
    let workspace = MFDWorkspace()
    let loss = mfdLossForward(input: x, batch: shape.batch, channels: shape.channels,
                              pixels: shape.pixels, workspace: workspace, samplesPerChunk: samplesPerChunk)
    #expect(relativeError(Double(loss), naiveLoss(x, shape)) < 1e-4)
    let gradOutput = randomValues(shape.count, seed: 92)
    var gradient = [Float](repeating: .nan, count: shape.count)
    gradient.withUnsafeMutableBufferPointer { g in
      mfdLossBackward(input: x, scale: 0.5, gradOutput: gradOutput, gradInput: g.baseAddress!,
                      workspace: workspace, samplesPerChunk: samplesPerChunk)
    }
    let expected = zip(gradOutput, naiveGradient(x, shape)).map { $0 + 0.5 * $1 }
    #expect(maxRelativeError(gradient, expected) < 1e-4)
  }

  @Test func defaultChunkIsAboutOneMegabyteOfAtLeast256Columns() {
    #expect(mfdSamplesPerChunk(channels: 64, pixels: 1024, batch: 128) == 4)
    #expect(mfdSamplesPerChunk(channels: 256, pixels: 1024, batch: 128) == 1)
    #expect(mfdSamplesPerChunk(channels: 512, pixels: 256, batch: 128) == 2)
    #expect(mfdSamplesPerChunk(channels: 2048, pixels: 16, batch: 128) == 16)
    #expect(mfdSamplesPerChunk(channels: 64, pixels: 1024, batch: 2) == 2)
    #expect(mfdSamplesPerChunk(channels: 4096, pixels: 1024, batch: 8) == 1)
  }

  @Test func backwardAddsScaledGradientToGradOutput() {
    let shape = MFDShape(3, 4, 2, 3)
    let x = mfdInput(shape, seed: 101)
    let workspace = MFDWorkspace()
    let (_, gradient) = kernelLossAndGradient(x, shape, workspace: workspace)
    let gradOutput = randomValues(shape.count, seed: 102)
    var gradInput = [Float](repeating: .nan, count: shape.count)
    mfdLossBackward(input: x, scale: 2.5, gradOutput: gradOutput, gradInput: &gradInput, workspace: workspace)
    let expected = zip(gradOutput, gradient).map { $0 + 2.5 * $1 }
    #expect(maxRelativeError(gradInput, expected, floor: 1e-3) < 1e-5)
  }

  @Test func macsCountTheGramAndTheGradientProduct() {
    #expect(mfdLossMACs(batch: 2, channels: 3, pixels: 5) == 6 * 10 + 9 * 10)
  }
}

@Suite struct MFDInputGuardTests {
  /// The backward rebuilds Z from the input: debug builds stop when that input changed after the
  /// forward instead of returning a silently wrong gradient (and run on when it did not).
  @Test func backwardStopsWhenTheInputChangedSinceTheForward() async {
    await #expect(processExitsWith: .failure) { forwardThenBackward(changingInput: true) }
    await #expect(processExitsWith: .success) { forwardThenBackward(changingInput: false) }
  }
}

private func forwardThenBackward(changingInput: Bool) {
  let shape = MFDShape(3, 4, 2, 2)
  var x = mfdInput(shape, seed: 111)
  let workspace = MFDWorkspace()
  _ = kernelLoss(x, shape, workspace: workspace)
  if changingInput { x[5] += 1 }
  let gradOutput = [Float](repeating: 0, count: shape.count)
  var gradInput = [Float](repeating: 0, count: shape.count)
  mfdLossBackward(input: x, scale: 1, gradOutput: gradOutput, gradInput: &gradInput, workspace: workspace)
}
