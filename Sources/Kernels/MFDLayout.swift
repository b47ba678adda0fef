// Data movement for the MFD loss (MFD.swift): a chunk of samples from NCHW into the
// channel-major rows [C, k·N] that the Gram and M·Z products need, and back.
//
// Each worker moves only its own samples, through buffers that stay in its cache between the
// move and the product, so no whole-batch [C, B·N] copy is ever made or read back from memory.
// Every element's arithmetic is the same whatever the chunking or the thread count.

/// Shifted observations of one chunk of samples, channel-major:
///
///   rows[c, (b − first)·N + p] = (X[b, c, p] − X[0, c, p]) − mean[c, p]     (mean = nil: 0)
///
/// and, when `sums` is given, sums[c, p] (+)= X[b, c, p] − X[0, c, p] over the chunk's samples
/// (`startsSums`: the first sample assigns instead of adding).
///
/// Subtracting sample 0 first is what keeps the Gram exact where it matters: a channel that is
/// constant over the batch gives rows of exact zeros (and is recognised as dead), and a large
/// common offset cancels before any product is formed.
/// - input: [batch, channels, pixels]; samples ⊂ 0..<batch; mean, sums: [channels, pixels];
///   rows: [channels, samples.count·pixels].
func gatherShiftedRows(
  input: UnsafePointer<Float>, samples: Range<Int>, channels: Int, pixels: Int,
  subtracting mean: UnsafePointer<Float>?, into rows: UnsafeMutablePointer<Float>,
  sums: UnsafeMutablePointer<Float>?, startsSums: Bool
) {
  let rowLength = samples.count * pixels
  let sampleSize = channels * pixels
  for b in samples {
    let column = (b - samples.lowerBound) * pixels
    let assigns = startsSums && b == samples.lowerBound
    for c in 0..<channels {
      let x = input + b * sampleSize + c * pixels
      let x0 = input + c * pixels
      let row = rows + c * rowLength + column
      let sum = sums.map { $0 + c * pixels }
      let m = mean.map { $0 + c * pixels }
      var p = 0
      while p + 8 <= pixels {
        let y = loadVector(x + p) - loadVector(x0 + p)
        storeVector(m.map { y - loadVector($0 + p) } ?? y, row + p)
        if let sum { storeVector(assigns ? y : loadVector(sum + p) + y, sum + p) }
        p += 8
      }
      while p < pixels {
        let y = x[p] - x0[p]
        row[p] = m.map { y - $0[p] } ?? y
        if let sum { sum[p] = assigns ? y : sum[p] + y }
        p += 1
      }
    }
  }
}

/// gradInput[b, c, p] = gradOutput[b, c, p] + rows[c, (b − first)·N + p] for the chunk's samples:
/// dL/dZ back to NCHW.
/// - rows: [channels, samples.count·pixels]; gradOutput, gradInput: [batch, channels, pixels]
///   (may alias).
func scatterAddRows(
  _ rows: UnsafePointer<Float>, samples: Range<Int>, channels: Int, pixels: Int,
  gradOutput: UnsafePointer<Float>, gradInput: UnsafeMutablePointer<Float>
) {
  let rowLength = samples.count * pixels
  for b in samples {
    for c in 0..<channels {
      let offset = (b * channels + c) * pixels
      let (from, to) = (gradOutput + offset, gradInput + offset)
      let delta = rows + c * rowLength + (b - samples.lowerBound) * pixels
      var p = 0
      while p + 8 <= pixels {
        storeVector(loadVector(from + p) + loadVector(delta + p), to + p)
        p += 8
      }
      while p < pixels {
        to[p] = from[p] + delta[p]
        p += 1
      }
    }
  }
}

/// The workers' contiguous shares of the batch: worker w of `workers` owns
/// `batch·w/workers ..< batch·(w+1)/workers`, fixed by the thread count alone, so a given thread
/// count always sums in the same order.
func samplesOfWorker(_ worker: Int, of workers: Int, batch: Int) -> Range<Int> {
  (batch * worker / workers)..<(batch * (worker + 1) / workers)
}
