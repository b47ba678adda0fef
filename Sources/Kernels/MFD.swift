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
// Cost: the Gram by SYRK (C²·BN/2 MACs) and dL/dZ = M·Z by one SGEMM (C²·BN MACs) dominate; the
// centring and the scatter back to NCHW are one pass each over the data, parallel over channels;
// everything else is O(C²).

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
/// dL/dX = dL/dZ = M·Z: the centring's backward is the identity because every column block of
/// M·Z already sums to zero over the batch.
public func mfdLossBackward(
  scale: Float, gradOutput: UnsafePointer<Float>, gradInput: UnsafeMutablePointer<Float>,
  workspace: MFDWorkspace
) {
  precondition(workspace.holdsGradientState, "mfdLossBackward needs a preceding mfdLossForward")
  let (batch, channels, pixels) = (workspace.batch, workspace.channels, workspace.pixels)
  if scale == 0 {
    // A tap with λ = 0 only records L; its gradient is a copy.
    if UnsafePointer(gradInput) != gradOutput { gradInput.update(from: gradOutput, count: batch * channels * pixels) }
    return
  }
  let rowLength = batch * pixels
  workspace.gradientRows.reserve(channels * rowLength)
  let rows = workspace.gradientRows.pointer
  // One GEMM over the whole batch (not one per sample): thin per-sample shapes [C, C]·[C, N]
  // with N as small as 16 would run far below the sgemm rate. `scale` folds into alpha.
  sgemm(.none, .none, m: channels, n: rowLength, k: channels, alpha: scale,
        a: workspace.multiplier.pointer, lda: channels,
        b: workspace.centred.pointer, ldb: rowLength,
        c: rows, ldc: rowLength)
  parallelFor(channels) { c in
    let source = rows + c * rowLength
    for b in 0..<batch {
      let offset = (b * channels + c) * pixels
      let from = gradOutput + offset
      let to = gradInput + offset
      let delta = source + b * pixels
      for p in 0..<pixels { to[p] = from[p] + delta[p] }
    }
  }
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

/// Fills workspace Z with the input centred by its batch-mean map and G's upper triangle with Z·Zᵀ.
func computeCentredGram(
  input: UnsafePointer<Float>, batch: Int, channels: Int, pixels: Int, workspace: MFDWorkspace
) {
  workspace.prepare(batch: batch, channels: channels, pixels: pixels)
  centreByBatchMeanMap(input: input, batch: batch, channels: channels, pixels: pixels,
                       centred: workspace.centred.pointer, meanOffset: workspace.meanOffset.pointer)
  let rowLength = batch * pixels
  ssyrkUpper(n: channels, k: rowLength, a: workspace.centred.pointer, lda: rowLength,
             c: workspace.gram.pointer, ldc: channels)
}

/// Z[c, b·N + p] = X[b, c, p] − mean_b X[b, c, p], parallel over channels.
///
/// The mean is taken of differences from sample 0, z = (x_b − x_0) − mean(x − x_0): a channel that
/// is constant over the batch then centres to exactly 0 and is recognised as dead, where
/// x − Σx/B would leave rounding noise that correlates with everything. It also keeps precision
/// for activations with a large common offset.
/// - input: [batch, channels, pixels]; centred: [channels, batch·pixels]; meanOffset: [channels, pixels]
func centreByBatchMeanMap(
  input: UnsafePointer<Float>, batch: Int, channels: Int, pixels: Int,
  centred: UnsafeMutablePointer<Float>, meanOffset: UnsafeMutablePointer<Float>
) {
  let rowLength = batch * pixels
  parallelFor(channels) { c in
    let first = input + c * pixels
    let mean = meanOffset + c * pixels
    mean.update(repeating: 0, count: pixels)
    for b in 1..<batch {
      let x = input + (b * channels + c) * pixels
      for p in 0..<pixels { mean[p] += x[p] - first[p] }
    }
    let count = Float(batch)
    for p in 0..<pixels { mean[p] /= count }
    let row = centred + c * rowLength
    for b in 0..<batch {
      let x = input + (b * channels + c) * pixels
      let z = row + b * pixels
      for p in 0..<pixels { z[p] = (x[p] - first[p]) - mean[p] }
    }
  }
}

/// One pass over the Gram: R with the clamp, L, the mean |R|, and optionally the multiplier
/// M = 2·∂L/∂G (symmetrised) so that dL/dZ = M·Z:
///
///   unclamped pair   M_ij = (4/K)·R_ij / (n_i n_j),   M_ii −= (4/K)·R_ij² / G_ii
///   clamped pair     M_ij = (4/K)·R_ij / (N·EPS)      (R does not depend on G_ii there)
///   dead channel     zero row and column
///
/// Rows run in parallel and each writes only its own row of M and its own row sums, which are
/// then added in row order: the result does not depend on the thread count. O(C²) in Double.
func summariseCorrelations(
  workspace: MFDWorkspace, writingMultiplier: Bool
) -> (loss: Float, meanAbsolute: Float) {
  let channels = workspace.channels
  let gram = workspace.gram.pointer
  let norms = workspace.norms.pointer
  let rowSquares = workspace.rowSquares.pointer
  let rowAbsolutes = workspace.rowAbsolutes.pointer
  let multiplier = writingMultiplier ? workspace.multiplier.pointer : nil
  for i in 0..<channels { norms[i] = Double(gram[i * channels + i]).squareRoot() }
  // s_i s_j ≥ EPS  ⟺  n_i n_j ≥ N·EPS, since s_i = n_i / √N.
  let clampFloor = Double(workspace.pixels) * mfdClampEpsilon
  let pairCount = max(Double(channels * (channels - 1)), mfdClampEpsilon)
  let coefficient = 4 / pairCount

  parallelFor(channels) { i in
    let row = multiplier.map { $0 + i * channels }
    var squares = 0.0, absolutes = 0.0, diagonal = 0.0
    if norms[i] > 0 {
      for j in 0..<channels where j != i {
        // SYRK wrote the upper triangle only: G_ij for j < i lives at (j, i).
        let g = Double(i < j ? gram[i * channels + j] : gram[j * channels + i])
        let product = norms[i] * norms[j]
        var r = 0.0, m = 0.0
        if norms[j] == 0 {
          // Dead partner: R_ij = 0 and no gradient.
        } else if product >= clampFloor {
          r = g / product
          m = coefficient * r / product
          diagonal += r * r
        } else {
          r = g / clampFloor
          m = coefficient * r / clampFloor
        }
        squares += r * r
        absolutes += abs(r)
        row?[j] = Float(m)
      }
      row?[i] = Float(-coefficient * diagonal / Double(gram[i * channels + i]))
    } else {
      row?.update(repeating: 0, count: channels)
    }
    rowSquares[i] = squares
    rowAbsolutes[i] = absolutes
  }

  var squares = 0.0, absolutes = 0.0
  for i in 0..<channels {
    squares += rowSquares[i]
    absolutes += rowAbsolutes[i]
  }
  return (Float(squares / pairCount), Float(absolutes / pairCount))
}
