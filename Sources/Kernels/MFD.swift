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
// Cost: the Gram by SYRK (C(C+1)/2·BN MACs) and dL/dZ = M·Z by SYMM (C²·BN MACs)
// dominate; everything else is O(C²) or one pass over the data. Both products split the B·N
// observations between the workers, each moving its own chunks of samples into channel-major
// rows in its cache and multiplying them there (MFDLayout.swift): the input is read once per
// pass and no centred copy of it is ever stored. The forward Gram is taken of X[b] − X[0] and
// corrected for the batch mean afterwards (G = Σ y yᵀ − S Sᵀ/B with y = X[b] − X[0] and
// S = Σ_b y), which needs no second pass over the data and loses nothing to cancellation for a
// channel constant over the batch (its y are exact zeros). The backward rebuilds Z chunk by
// chunk from the same input, which must therefore be unchanged since the forward.

/// The clamp constant of the authors' code (mfd/utils.py; the top-level utils.py uses 1e-8).
public let mfdClampEpsilon: Double = 1e-12

/// MFD loss of one feature map; keeps the batch-mean map and M in `workspace` for
/// `mfdLossBackward`, which needs the same input again.
///
/// - input: [batch, channels, pixels] (NCHW with pixels = h·w); batch, channels, pixels ≥ 1.
/// - samplesPerChunk: samples a worker moves and multiplies at once; nil picks the cache-sized
///   default (`mfdSamplesPerChunk`). Any value gives the same result up to GEMM rounding.
/// - returns: L ≥ 0 (0 when channels = 1 or batch = 1).
/// Also sets `workspace.lastMeanAbsoluteCorrelation`.
public func mfdLossForward(
  input: UnsafePointer<Float>, batch: Int, channels: Int, pixels: Int, workspace: MFDWorkspace,
  samplesPerChunk: Int? = nil
) -> Float {
  computeCentredGram(input: input, batch: batch, channels: channels, pixels: pixels,
                     workspace: workspace, samplesPerChunk: samplesPerChunk)
  workspace.multiplier.reserve(channels * channels)
  let summary = summariseCorrelations(workspace: workspace, writingMultiplier: true)
  workspace.lastMeanAbsoluteCorrelation = summary.meanAbsolute
  workspace.holdsGradientState = true
  #if DEBUG
  workspace.inputFingerprint = mfdFingerprint(input, count: batch * channels * pixels)
  #endif
  return summary.loss
}

/// gradInput = gradOutput + scale · dL/dX for the input of the last `mfdLossForward`.
///
/// - input: that forward's input, unchanged since (debug builds check).
/// - gradOutput, gradInput: [batch, channels, pixels] as in that forward; they may be the same
///   buffer, which accumulates `scale · dL/dX` in place.
/// dL/dX = dL/dZ = M·Z: the centring's backward is the identity, because Z sums to zero over the
/// batch at every channel and pixel and so does M·Z.
/// - samplesPerChunk: as in `mfdLossForward`; any value gives the same result up to GEMM rounding.
public func mfdLossBackward(
  input: UnsafePointer<Float>, scale: Float, gradOutput: UnsafePointer<Float>,
  gradInput: UnsafeMutablePointer<Float>, workspace: MFDWorkspace, samplesPerChunk: Int? = nil
) {
  precondition(workspace.holdsGradientState, "mfdLossBackward needs a preceding mfdLossForward")
  let (batch, channels, pixels) = (workspace.batch, workspace.channels, workspace.pixels)
  #if DEBUG
  precondition(workspace.inputFingerprint == mfdFingerprint(input, count: batch * channels * pixels),
               "mfdLossBackward: the input changed since mfdLossForward (an in-place layer after an MFD tap?)")
  #endif
  let aliased = UnsafePointer(gradInput) == gradOutput
  if scale == 0 {
    // A tap with λ = 0 only records L; its gradient is a copy.
    if !aliased { gradInput.update(from: gradOutput, count: batch * channels * pixels) }
    return
  }
  let (chunk, workers, buffers) = workspace.workerChunks(samplesPerChunk)
  for buffer in buffers where chunk > 1 { buffer.products.reserve(channels * chunk * pixels) }
  let (multiplier, mean) = (workspace.multiplier.pointer, workspace.meanOffset.pointer)
  let sampleSize = channels * pixels
  parallelWorkersWithSerialBLAS(workers) { worker in
    let mine = samplesOfWorker(worker, of: workers, batch: batch)
    let (rows, products) = (buffers[worker].rows.pointer, buffers[worker].products.pointer)
    for first in stride(from: mine.lowerBound, to: mine.upperBound, by: chunk) {
      let samples = first..<min(first + chunk, mine.upperBound)
      gatherShiftedRows(input: input, samples: samples, channels: channels, pixels: pixels,
                        subtracting: mean, into: rows, sums: nil, startsSums: false)
      if samples.count == 1 {
        // One sample's rows are laid out as its NCHW slice: accumulate straight into it.
        let target = gradInput + first * sampleSize
        if !aliased { target.update(from: gradOutput + first * sampleSize, count: sampleSize) }
        ssymmUpperLeft(m: channels, n: pixels, alpha: scale, a: multiplier, lda: channels,
                       b: rows, ldb: pixels, beta: 1, c: target, ldc: pixels)
      } else {
        let columns = samples.count * pixels
        ssymmUpperLeft(m: channels, n: columns, alpha: scale, a: multiplier, lda: channels,
                       b: rows, ldb: columns, c: products, ldc: columns)
        scatterAddRows(products, samples: samples, channels: channels, pixels: pixels,
                       gradOutput: gradOutput, gradInput: gradInput)
      }
    }
  }
}

/// Samples a worker moves and multiplies at once: rows of about `chunkFloats` floats (1 MB, which
/// stays in a core's cache between the move and the product) but at least 256 columns, below
/// which the products run far under the GEMM rate (S4 of a CIFAR ResNet50 has 16 pixels).
public func mfdSamplesPerChunk(
  channels: Int, pixels: Int, batch: Int, chunkFloats: Int = 1 << 18, minimumColumns: Int = 256
) -> Int {
  let forColumns = (minimumColumns + pixels - 1) / pixels
  return max(1, min(batch, max(forColumns, chunkFloats / (channels * pixels))))
}

extension MFDWorkspace {
  /// Samples per chunk (`samplesPerChunk` or the cache-sized default), the worker count for the
  /// current batch, and those workers' buffers with room for one chunk of rows.
  func workerChunks(_ samplesPerChunk: Int?) -> (chunk: Int, workers: Int, buffers: ArraySlice<MFDWorkerBuffers>) {
    let chunk = max(1, min(batch, samplesPerChunk
      ?? mfdSamplesPerChunk(channels: channels, pixels: pixels, batch: batch)))
    let workers = min(Threading.threadCount, batch)
    let buffers = workerBuffers(workers)
    for buffer in buffers { buffer.rows.reserve(channels * chunk * pixels) }
    return (chunk, workers, buffers)
  }
}

#if DEBUG
/// A cheap order-dependent checksum of `count` floats' bit patterns (FNV-1a over 32-bit words).
func mfdFingerprint(_ values: UnsafePointer<Float>, count: Int) -> UInt64 {
  var hash: UInt64 = 0xcbf2_9ce4_8422_2325
  for i in 0..<count {
    hash = (hash ^ UInt64(values[i].bitPattern)) &* 0x100_0000_01b3
  }
  return hash
}
#endif

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

/// Fills the upper triangle of the workspace's Gram with Z·Zᵀ, Z the input centred by its
/// batch-mean map, and `meanOffset` with that map minus sample 0 (ν), which the backward
/// subtracts again.
func computeCentredGram(
  input: UnsafePointer<Float>, batch: Int, channels: Int, pixels: Int, workspace: MFDWorkspace,
  samplesPerChunk: Int? = nil
) {
  workspace.prepare(batch: batch, channels: channels, pixels: pixels)
  let (chunk, workers, buffers) = workspace.workerChunks(samplesPerChunk)
  for buffer in buffers {
    buffer.sums.reserve(channels * pixels)
    buffer.gram.reserve(channels * channels)
  }
  // Each worker: its Gram share Σ y yᵀ and sums S_w = Σ y over its own samples, y = X[b] − X[0].
  parallelWorkersWithSerialBLAS(workers) { worker in
    let mine = samplesOfWorker(worker, of: workers, batch: batch)
    let (rows, sums) = (buffers[worker].rows.pointer, buffers[worker].sums.pointer)
    let gram = worker == 0 ? workspace.gram.pointer : buffers[worker].gram.pointer
    for first in stride(from: mine.lowerBound, to: mine.upperBound, by: chunk) {
      let samples = first..<min(first + chunk, mine.upperBound)
      gatherShiftedRows(input: input, samples: samples, channels: channels, pixels: pixels,
                        subtracting: nil, into: rows, sums: sums, startsSums: first == mine.lowerBound)
      let columns = samples.count * pixels
      let beta: Float = first == mine.lowerBound ? 0 : 1
      ssyrkUpper(n: channels, k: columns, a: rows, lda: columns, beta: beta, c: gram, ldc: channels)
    }
  }
  // The workers' shares in worker order: S = Σ_w S_w, ν = S/B, G = Σ_w G_w − S·Sᵀ/B.
  let sums = buffers[0].sums.pointer
  let mean = workspace.meanOffset.pointer
  let count = Float(batch)
  parallelChunks(channels * pixels, minimumChunk: 4096) { range in
    for i in range {
      for w in 1..<max(1, workers) { sums[i] += buffers[w].sums.pointer[i] }
      mean[i] = sums[i] / count
    }
  }
  let gram = workspace.gram.pointer
  if workers > 1 {
    parallelFor(channels) { i in
      for w in 1..<workers {
        addRow(buffers[w].gram.pointer + i * channels + i, into: gram + i * channels + i,
               count: channels - i)
      }
    }
  }
  ssyrkUpper(n: channels, k: pixels, alpha: -1 / count, a: sums, lda: pixels,
             beta: 1, c: gram, ldc: channels)
}


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
    // max(0, ·): the mean correction can round a (nearly) constant channel's G_ii below zero.
    norms[i] = max(0, Double(gram[i * channels + i])).squareRoot()
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
    // Four pairs at a time (S4's 2048 channels have 2.1 M pairs): each lane computes exactly the
    // scalar tail's values; only the partial sums are split into lanes, in a fixed order.
    var squares4 = SIMD4<Double>(), absolutes4 = SIMD4<Double>(), unclampedSquares4 = SIMD4<Double>()
    var j = i + 1
    while j + 4 <= channels {
      // A dead channel has G_ij = 0 exactly (its row of Z is exactly 0) and n = 0, so its pairs
      // take the clamped branch with R_ij = M_ij = 0.
      let clamped = .!(norms[i] * (loadSIMD(norms + j) as SIMD4<Double>) .>= clampFloor)
      let scale = (inverseNorms[i] * (loadSIMD(inverseNorms + j) as SIMD4<Double>)).replacing(with: inverseClampFloor, where: clamped)
      let r = SIMD4<Double>(loadSIMD(gramRow + j) as SIMD4<Float>) * scale
      storeSIMD(SIMD4<Float>(r), gramRow + j)
      squares4 += r * r
      absolutes4 += r.replacing(with: -r, where: r .< 0)
      unclampedSquares4 += (r * r).replacing(with: 0, where: clamped)
      if let multiplierRow { storeSIMD(SIMD4<Float>(coefficient * r * scale), multiplierRow + j) }
      j += 4
    }
    var squares = squares4.sum(), absolutes = absolutes4.sum(), unclampedSquares = unclampedSquares4.sum()
    while j < channels {
      let unclamped = norms[i] * norms[j] >= clampFloor
      let scale = unclamped ? inverseNorms[i] * inverseNorms[j] : inverseClampFloor
      let r = Double(gramRow[j]) * scale
      gramRow[j] = Float(r)
      squares += r * r
      absolutes += abs(r)
      if unclamped { unclampedSquares += r * r }
      multiplierRow?[j] = Float(coefficient * r * scale)
      j += 1
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
      var j = max(columns.lowerBound, i + 1)
      while j + 4 <= columns.upperBound {
        let r = SIMD4<Double>(loadSIMD(row + j) as SIMD4<Float>)
        let clamped = .!(norms[i] * (loadSIMD(norms + j) as SIMD4<Double>) .>= clampFloor)
        storeSIMD((loadSIMD(column + j) as SIMD4<Double>) + (r * r).replacing(with: 0, where: clamped), column + j)
        j += 4
      }
      while j < columns.upperBound {
        if norms[i] * norms[j] >= clampFloor {
          let r = Double(row[j])
          column[j] += r * r
        }
        j += 1
      }
    }
  }
}
