// Data movement for the MFD loss (MFD.swift): NCHW in and out of the channel-major layout
// [C, B·N] that the Gram and M·Z products need.
// All loops run in parallel with disjoint writes and element-wise arithmetic that does not depend
// on the split, so results are bit-identical for any thread count.

/// Channels the layout loops handle together. NCHW puts one channel's pixels of consecutive
/// samples C·N floats apart; walking a tile of channels per sample turns that into a few
/// sequential streams (which the prefetchers follow) instead of one page-hopping stride.
let mfdChannelTile = 16

/// Calls `body` on consecutive channel tiles of `channels`, the chunks split over the workers.
/// Every element's arithmetic is independent of the split, so results are bit-identical for any
/// thread count.
@inline(__always)
func forEachChannelTile(_ channels: Int, _ body: (Range<Int>) -> Void) {
  parallelChunks(channels) { chunk in
    var start = chunk.lowerBound
    while start < chunk.upperBound {
      let end = min(start + mfdChannelTile, chunk.upperBound)
      body(start..<end)
      start = end
    }
  }
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
  forEachChannelTile(channels) { tile in
    // X[b, tile, :] is contiguous, so the tile's means accumulate as one flat run per sample.
    let length = tile.count * pixels
    let first = input + tile.lowerBound * pixels
    let mean = meanOffset + tile.lowerBound * pixels
    mean.update(repeating: 0, count: length)
    for b in 1..<batch {
      let x = input + (b * channels + tile.lowerBound) * pixels
      for k in 0..<length { mean[k] += x[k] - first[k] }
    }
    let count = Float(batch)
    for k in 0..<length { mean[k] /= count }
    for b in 0..<batch {
      let x = input + (b * channels + tile.lowerBound) * pixels
      for c in tile {
        let k0 = (c - tile.lowerBound) * pixels
        let z = centred + c * rowLength + b * pixels
        for p in 0..<pixels { z[p] = (x[k0 + p] - first[k0 + p]) - mean[k0 + p] }
      }
    }
  }
}

/// gradInput[b, c, p] = gradOutput[b, c, p] + rows[c, (b − firstSample)·N + p] for the samples
/// b of one chunk: dL/dZ back to NCHW.
/// - rows: [channels, sampleCount·pixels]; gradOutput, gradInput: [batch, channels, pixels]
///   (may alias).
func scatterRowsToBatchMajor(
  _ rows: UnsafePointer<Float>, firstSample: Int, sampleCount: Int, batch: Int, channels: Int,
  pixels: Int, gradOutput: UnsafePointer<Float>, gradInput: UnsafeMutablePointer<Float>
) {
  let rowLength = sampleCount * pixels
  forEachChannelTile(channels) { tile in
    for b in firstSample..<(firstSample + sampleCount) {
      for c in tile {
        let offset = (b * channels + c) * pixels
        let (from, to) = (gradOutput + offset, gradInput + offset)
        let delta = rows + c * rowLength + (b - firstSample) * pixels
        for p in 0..<pixels { to[p] = from[p] + delta[p] }
      }
    }
  }
}
