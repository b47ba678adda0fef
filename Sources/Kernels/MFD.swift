// The MFD (multi-stage feature decorrelation) loss of one feature map, forward and backward, as
// the authors' `NewDecorrelationBetweenDim1` computes it (mfd/utils.py, EPS = 1e-12); see
// mfd-reference.md §1. With X: [B, C, H, W] and N = H·W:
//
//   Z    = X centred by its batch-mean map, one row per channel       [C, B·N]
//   G    = Z·Zᵀ,  n_i = √G_ii
//   R_ij = G_ij / (n_i n_j)        when n_i n_j ≥ N·EPS (the code's clamp on s_i s_j = n_i n_j / N)
//        = G_ij / (N·EPS)          otherwise (a clamped pair)
//   L    = Σ_{i≠j} R_ij² / max(C(C−1), EPS)
//
// A dead channel (G_ii = 0) has R_ij = 0 for every j, still counts in C(C−1), and gets an exactly
// zero gradient (PyTorch produces NaN there).
//
// Cost: the Gram by SYRK (C²·BN/2 MACs; SGEMM for C ≤ 64) and dL/dZ = M·Z by SYMM over chunks
// of samples (C²·BN MACs) dominate; the centring and the scatter back to NCHW are one pass each
// over the data, parallel over channels (MFDLayout.swift); everything else is O(C²).

import CBLAS

/// The clamp constant of the authors' code (mfd/utils.py; the top-level utils.py uses 1e-8).
public let mfdClampEpsilon: Double = 1e-12

/// MFD loss of one feature map; keeps Z and M in `workspace` for `mfdLossBackward`.
///
/// - input: [batch, channels, pixels] (NCHW with pixels = h·w); batch, channels, pixels ≥ 1.
/// - returns: L ≥ 0 (0 when channels = 1 or batch = 1).
/// Also sets `workspace.lastMeanAbsoluteCorrelation`.
public func mfdLossForward(
  input: UnsafePointer<Float>, batch: Int, channels: Int, pixels: Int, workspace: MFDWorkspace
) -> Float {
  computeCentredGram(input: input, batch: batch, channels: channels, pixels: pixels, workspace: workspace)
  workspace.multiplier.reserve(channels * channels)
  let summary = summariseCorrelations(workspace: workspace, writingMultiplier: true)
  workspace.lastMeanAbsoluteCorrelation = summary.meanAbsolute
  workspace.holdsGradientState = true
  return summary.loss
}

/// gradInput = gradOutput + scale · dL/dX for the input of the last `mfdLossForward`.
///
/// - gradOutput, gradInput: [batch, channels, pixels] as in that forward; they may be the same
///   buffer, which accumulates `scale · dL/dX` in place.
/// dL/dX = dL/dZ = M·Z: the centring's backward is the identity, because Z sums to zero over the
/// batch at every channel and pixel and so does M·Z.
/// - samplesPerChunk: samples per M·Z product; nil picks the cache-sized default
///   (`mfdSamplesPerChunk`). Any value gives the same result up to GEMM rounding.
public func mfdLossBackward(
  scale: Float, gradOutput: UnsafePointer<Float>, gradInput: UnsafeMutablePointer<Float>,
  workspace: MFDWorkspace, samplesPerChunk: Int? = nil
) {
  precondition(workspace.holdsGradientState, "mfdLossBackward needs a preceding mfdLossForward")
  let (batch, channels, pixels) = (workspace.batch, workspace.channels, workspace.pixels)
  if scale == 0 {
    // A tap with λ = 0 only records L; its gradient is a copy.
    if UnsafePointer(gradInput) != gradOutput { gradInput.update(from: gradOutput, count: batch * channels * pixels) }
    return
  }
  let rowLength = batch * pixels
  let chunk = max(1, min(batch, samplesPerChunk
    ?? mfdSamplesPerChunk(channels: channels, pixels: pixels, batch: batch)))
  workspace.gradientRows.reserve(channels * chunk * pixels)
  let rows = workspace.gradientRows.pointer
  // M·Z over chunks of samples, each scattered while its rows are still mostly in cache. Speed
  // measured the same as one product over the batch (within the ±15 % noise of a shared
  // machine), but dL/dZ no longer needs a whole [C, B·N] buffer (S1: 8 MB instead of 134 MB).
  // A chunk still gives the product thousands of columns (per-sample shapes [C, C]·[C, N] with
  // N as small as 16 would run far below the GEMM rate). `scale` folds into alpha.
  for firstSample in stride(from: 0, to: batch, by: chunk) {
    let count = min(chunk, batch - firstSample)
    ssymmUpperLeft(m: channels, n: count * pixels, alpha: scale,
                   a: workspace.multiplier.pointer, lda: channels,
                   b: workspace.centred.pointer + firstSample * pixels, ldb: rowLength,
                   c: rows, ldc: count * pixels)
    scatterRowsToBatchMajor(rows, firstSample: firstSample, sampleCount: count, batch: batch,
                            channels: channels, pixels: pixels,
                            gradOutput: gradOutput, gradInput: gradInput)
  }
}

/// Samples per M·Z chunk: dL/dZ rows of about `chunkFloats` floats (8 MB, mostly cache-resident
/// between the product and the scatter), at least one sample.
public func mfdSamplesPerChunk(
  channels: Int, pixels: Int, batch: Int, chunkFloats: Int = 2 << 20
) -> Int {
  max(1, min(batch, chunkFloats / (channels * pixels)))
}

/// Mean of |R_ij| over i ≠ j (dead channels count as 0), with R exactly as in the loss: the
/// per-stage correlation statistic of the paper's Tables I and III.
///
/// - input: [batch, channels, pixels]. Overwrites the workspace, so a pending
///   `mfdLossBackward` must not follow.
public func meanAbsoluteCorrelation(
  input: UnsafePointer<Float>, batch: Int, channels: Int, pixels: Int, workspace: MFDWorkspace
) -> Float {
  computeCentredGram(input: input, batch: batch, channels: channels, pixels: pixels, workspace: workspace)
  return summariseCorrelations(workspace: workspace, writingMultiplier: false).meanAbsolute
}

/// Multiply-accumulates of one MFD forward + backward: the SYRK Gram and the M·Z GEMM.
/// The rest (centring, scatter, O(C²) loops) is memory traffic, not counted.
public func mfdLossMACs(batch: Int, channels: Int, pixels: Int) -> Int {
  channels * (channels + 1) / 2 * batch * pixels + channels * channels * batch * pixels
}

// MARK: - Steps shared by the loss and the statistic

/// Row-major C = alpha · A · B with A [m, m] symmetric, read from its upper triangle only: M is
/// built above the diagonal alone, and mirroring it for SGEMM would cost a strided C×C pass.
/// OpenBLAS runs SSYMM at the SGEMM rate. B, C: [m, n].
func ssymmUpperLeft(
  m: Int, n: Int, alpha: Float,
  a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
  c: UnsafeMutablePointer<Float>, ldc: Int
) {
  guard m > 0, n > 0 else { return }
  cblas_ssymm(CblasRowMajor, CblasLeft, CblasUpper, blasint(m), blasint(n),
              alpha, a, blasint(lda), b, blasint(ldb), 0, c, blasint(ldc))
}

/// Fills workspace Z with the input centred by its batch-mean map and G's upper triangle with Z·Zᵀ.
func computeCentredGram(
  input: UnsafePointer<Float>, batch: Int, channels: Int, pixels: Int, workspace: MFDWorkspace
) {
  workspace.prepare(batch: batch, channels: channels, pixels: pixels)
  centreByBatchMeanMap(input: input, batch: batch, channels: channels, pixels: pixels,
                       centred: workspace.centred.pointer, meanOffset: workspace.meanOffset.pointer)
  let rowLength = batch * pixels
  if channels <= mfdGramByGEMMMaximumChannels {
    // Both triangles at twice the FLOPs, in less time: OpenBLAS's SYRK splits so few rows into
    // blocks too small for its kernel (C = 64, B·N = 131072: SYRK 12.0 ms, SGEMM 10.0 ms).
    sgemm(.none, .transposed, m: channels, n: channels, k: rowLength,
          a: workspace.centred.pointer, lda: rowLength, b: workspace.centred.pointer, ldb: rowLength,
          c: workspace.gram.pointer, ldc: channels)
  } else {
    ssyrkUpper(n: channels, k: rowLength, a: workspace.centred.pointer, lda: rowLength,
               c: workspace.gram.pointer, ldc: channels)
  }
}

/// Up to this many channels the Gram is one SGEMM instead of SYRK (measured at C = 64 and 256).
let mfdGramByGEMMMaximumChannels = 64

/// One pass over the Gram's upper triangle: R with the clamp, L, the mean |R|, and optionally
/// the upper triangle (diagonal included) of the symmetric M = 2·∂L/∂G, so that dL/dZ = M·Z:
///
///   unclamped pair   M_ij = (4/K)·R_ij / (n_i n_j),   M_ii −= (4/K)·R_ij² / G_ii
///   clamped pair     M_ij = (4/K)·R_ij / (N·EPS)      (R does not depend on G_ii there)
///   dead channel     zero row and column
///
/// SYRK writes only the upper triangle of G and SYMM reads only the upper triangle of M, so the
/// pass never touches the lower halves (walking them column-wise would miss the cache on every
/// element). M's diagonal needs full-row sums of the unclamped R², so R (rounded to Float)
/// replaces G above the diagonal and a second pass adds the column part.
///
/// Every sum runs in a fixed order (along a row, down a column, then over rows), whatever the
/// thread count. O(C²) in Double.
func summariseCorrelations(
  workspace: MFDWorkspace, writingMultiplier: Bool
) -> (loss: Float, meanAbsolute: Float) {
  let channels = workspace.channels
  let gram = workspace.gram.pointer
  let norms = workspace.norms.pointer
  let inverseNorms = workspace.inverseNorms.pointer
  let rowSquares = workspace.rowSquares.pointer
  let rowAbsolutes = workspace.rowAbsolutes.pointer
  let rowUnclampedSquares = workspace.rowUnclampedSquares.pointer
  let multiplier = writingMultiplier ? workspace.multiplier.pointer : nil
  for i in 0..<channels {
    norms[i] = Double(gram[i * channels + i]).squareRoot()
    inverseNorms[i] = norms[i] > 0 ? 1 / norms[i] : 0
  }
  // s_i s_j ≥ EPS  ⟺  n_i n_j ≥ N·EPS, since s_i = n_i / √N.
  let clampFloor = Double(workspace.pixels) * mfdClampEpsilon
  let inverseClampFloor = 1 / clampFloor
  let pairCount = max(Double(channels * (channels - 1)), mfdClampEpsilon)
  let coefficient = 4 / pairCount

  func summariseRow(_ i: Int) {
    let gramRow = gram + i * channels
    let multiplierRow = multiplier.map { $0 + i * channels }
    var squares = 0.0, absolutes = 0.0, unclampedSquares = 0.0
    for j in (i + 1)..<channels {
      // A dead channel has G_ij = 0 exactly (its row of Z is exactly 0) and n = 0, so its pairs
      // take the clamped branch with R_ij = M_ij = 0.
      let unclamped = norms[i] * norms[j] >= clampFloor
      let scale = unclamped ? inverseNorms[i] * inverseNorms[j] : inverseClampFloor
      let r = Double(gramRow[j]) * scale
      gramRow[j] = Float(r)
      squares += r * r
      absolutes += abs(r)
      if unclamped { unclampedSquares += r * r }
      multiplierRow?[j] = Float(coefficient * r * scale)
    }
    rowSquares[i] = squares
    rowAbsolutes[i] = absolutes
    rowUnclampedSquares[i] = unclampedSquares
  }
  // Row i holds C−1−i pairs: rows i and C−1−i together hold C−1, an even share per work item.
  parallelFor((channels + 1) / 2) { i in
    summariseRow(i)
    if channels - 1 - i != i { summariseRow(channels - 1 - i) }
  }

  var squares = 0.0, absolutes = 0.0
  for i in 0..<channels {
    squares += rowSquares[i]
    absolutes += rowAbsolutes[i]
  }
  if let multiplier {
    let columnUnclampedSquares = workspace.columnUnclampedSquares.pointer
    sumUnclampedSquaresDownColumns(workspace: workspace, into: columnUnclampedSquares)
    for i in 0..<channels {
      let unclampedSquares = rowUnclampedSquares[i] + columnUnclampedSquares[i]
      multiplier[i * channels + i] = Float(-coefficient * unclampedSquares * inverseNorms[i] * inverseNorms[i])
    }
  }
  // Each unordered pair stands for R_ij and R_ji.
  return (Float(2 * squares / pairCount), Float(2 * absolutes / pairCount))
}

/// column[j] = Σ_{i<j, pair unclamped} R_ij², from R stored above the diagonal of the Gram buffer.
/// Workers own contiguous column ranges cut at C·√(w/T), which split the triangle evenly, and read
/// each row's segment of their range contiguously; a column always sums its rows top-down.
func sumUnclampedSquaresDownColumns(workspace: MFDWorkspace, into column: UnsafeMutablePointer<Double>) {
  let channels = workspace.channels
  let correlations = workspace.gram.pointer
  let norms = workspace.norms.pointer
  let clampFloor = Double(workspace.pixels) * mfdClampEpsilon
  let workers = Threading.threadCount
  func boundary(_ w: Int) -> Int {
    w >= workers ? channels : Int((Double(channels) * (Double(w) / Double(workers)).squareRoot()).rounded())
  }
  parallelFor(workers) { w in
    let columns = boundary(w)..<boundary(w + 1)
    guard !columns.isEmpty else { return }
    (column + columns.lowerBound).update(repeating: 0, count: columns.count)
    for i in 0..<(columns.upperBound - 1) {
      let row = correlations + i * channels
      for j in max(columns.lowerBound, i + 1)..<columns.upperBound where norms[i] * norms[j] >= clampFloor {
        let r = Double(row[j])
        column[j] += r * r
      }
    }
  }
}
