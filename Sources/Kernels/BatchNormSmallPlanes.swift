// Training batch norm for small planes (h·w below `batchNormSmallPlane`: MobileNetV2's 4×4 to
// 1×1 maps at CIFAR size), where BatchNorm.swift's per-plane loops would spend their time on
// loop overhead: a channel's n planes of 1–15 values each.
//
// Here a worker takes a block of consecutive channels, whose values in one image are contiguous
// ([image, c0..<c1, 0..<spatial]), and walks the images accumulating one Double per (channel,
// position) lane; a channel's sum is then its lanes added in position order. Every channel's
// result depends only on its own values and this fixed order, never on the blocks or the
// thread count. Values match the per-plane path's up to Double rounding of the reductions; the
// written outputs follow the same per-element Float expressions.

/// Planes with fewer values than this take the channel-block path (the per-plane reductions work
/// in blocks of 16).
let batchNormSmallPlane = 16

/// Lanes (channels × positions) one block holds: its accumulators stay in the core's cache.
private let blockLanes = 2048

/// `batchNorm2dForwardTraining` for planes of fewer than `batchNormSmallPlane` values.
func batchNorm2dForwardTrainingSmallPlanes<Clamp: OutputClamp>(
  _: Clamp.Type, input: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>,
  output: UnsafeMutablePointer<Float>, mean: UnsafeMutablePointer<Float>,
  variance: UnsafeMutablePointer<Float>, inverseStd: UnsafeMutablePointer<Float>,
  n: Int, c: Int, spatial: Int, epsilon: Float
) {
  let count = Double(n * spatial)
  forEachChannelBlock(c: c, spatial: spatial) { channels, lanes in
    let width = channels.count * spatial
    let rows = ChannelBlockRows(first: channels.lowerBound, c: c, spatial: spatial)
    // Lane means (Double), then the channel's affine map expanded to lanes (Float).
    let laneMean = lanes.double(0), acc = lanes.double(1)
    let m = lanes.float(0), scale = lanes.float(1), shift = lanes.float(2)
    rows.accumulate(input, n: n, width: width, into: acc) { _, x in Double(x) }
    channelTotals(acc, channels: channels, spatial: spatial) { channel, sum in
      let channelMean = sum / count
      for k in 0..<spatial { laneMean[(channel - channels.lowerBound) * spatial + k] = channelMean }
    }
    rows.accumulate(input, n: n, width: width, into: acc) { j, x in let d = Double(x) - laneMean[j]; return d * d }
    channelTotals(acc, channels: channels, spatial: spatial) { channel, squares in
      let lane = (channel - channels.lowerBound) * spatial
      let channelVariance = squares / count
      let invStd = 1 / (channelVariance + Double(epsilon)).squareRoot()
      mean[channel] = Float(laneMean[lane])
      variance[channel] = Float(channelVariance)
      inverseStd[channel] = Float(invStd)
      for k in lane..<(lane + spatial) {
        (m[k], scale[k], shift[k]) = (Float(laneMean[lane]), Float(invStd) * weight[channel], bias[channel])
      }
    }
    for image in 0..<n {
      let (x, y) = (input + rows.offset(image), output + rows.offset(image))
      for j in 0..<width { y[j] = Clamp.apply((x[j] - m[j]) * scale[j] + shift[j]) }
    }
  }
}

/// `batchNorm2dBackwardTraining` for planes of fewer than `batchNormSmallPlane` values.
func batchNorm2dBackwardTrainingSmallPlanes<Clamp: OutputClamp>(
  _: Clamp.Type, input: UnsafePointer<Float>, gradOutput: UnsafePointer<Float>,
  weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
  mean: UnsafePointer<Float>, inverseStd: UnsafePointer<Float>,
  gradInput: UnsafeMutablePointer<Float>,
  gradWeight: UnsafeMutablePointer<Float>, gradBias: UnsafeMutablePointer<Float>,
  n: Int, c: Int, spatial: Int
) {
  let count = Float(n * spatial)
  forEachChannelBlock(c: c, spatial: spatial) { channels, lanes in
    let width = channels.count * spatial
    let rows = ChannelBlockRows(first: channels.lowerBound, c: c, spatial: spatial)
    let sums = lanes.double(0), dots = lanes.double(1)
    // scale = γ·invStd serves both the activation's mask (the forward's map) and dx.
    let m = lanes.float(0), scale = lanes.float(1), shift = lanes.float(2)
    let invStd = lanes.float(3), meanDy = lanes.float(4), meanDyXhat = lanes.float(5)
    for channel in channels {
      let lane = (channel - channels.lowerBound) * spatial
      for k in lane..<(lane + spatial) {
        (m[k], invStd[k], shift[k]) = (mean[channel], inverseStd[channel], bias?[channel] ?? 0)
        scale[k] = inverseStd[channel] * weight[channel]
      }
    }
    @inline(__always) func gated(_ j: Int, _ dy: Float, _ x: Float) -> Float {
      Clamp.gate(dy, at: Clamp.apply((x - m[j]) * scale[j] + shift[j]))
    }
    sums.update(repeating: 0, count: width)
    dots.update(repeating: 0, count: width)
    for image in 0..<n {
      let (x, dy) = (input + rows.offset(image), gradOutput + rows.offset(image))
      for j in 0..<width {
        let g = Double(gated(j, dy[j], x[j]))
        sums[j] += g
        dots[j] += g * Double(x[j] - m[j])
      }
    }
    channelTotals(sums, channels: channels, spatial: spatial) { channel, sumDy in
      gradBias[channel] += Float(sumDy)
      let lane = (channel - channels.lowerBound) * spatial
      for k in lane..<(lane + spatial) { meanDy[k] = Float(sumDy) / count }
    }
    channelTotals(dots, channels: channels, spatial: spatial) { channel, dot in
      let sumDyXhat = dot * Double(inverseStd[channel])
      gradWeight[channel] += Float(sumDyXhat)
      let lane = (channel - channels.lowerBound) * spatial
      for k in lane..<(lane + spatial) { meanDyXhat[k] = Float(sumDyXhat) / count }
    }
    for image in 0..<n {
      let (x, dy, dx) = (input + rows.offset(image), gradOutput + rows.offset(image), gradInput + rows.offset(image))
      for j in 0..<width {
        let xHat = (x[j] - m[j]) * invStd[j]
        dx[j] = scale[j] * (gated(j, dy[j], x[j]) - meanDy[j] - xHat * meanDyXhat[j])
      }
    }
  }
}

/// Where one channel block's values sit in each image: [image, first..<first + block, spatial].
private struct ChannelBlockRows {
  let first, c, spatial: Int

  @inline(__always) func offset(_ image: Int) -> Int { (image * c + first) * spatial }

  /// acc[j] = Σ_image term(j, input[image, lane j]), images in order.
  @inline(__always)
  func accumulate(
    _ input: UnsafePointer<Float>, n: Int, width: Int, into acc: UnsafeMutablePointer<Double>,
    _ term: (Int, Float) -> Double
  ) {
    acc.update(repeating: 0, count: width)
    for image in 0..<n {
      let x = input + offset(image)
      for j in 0..<width { acc[j] += term(j, x[j]) }
    }
  }
}

/// Per-block scratch: a few Double and Float lane arrays of one block's width.
private struct LaneScratch {
  let base: UnsafeMutableRawPointer
  let width: Int
  func double(_ k: Int) -> UnsafeMutablePointer<Double> {
    (base + k * width * 8).assumingMemoryBound(to: Double.self)
  }
  func float(_ k: Int) -> UnsafeMutablePointer<Float> {
    (base + 2 * width * 8 + k * width * 4).assumingMemoryBound(to: Float.self)
  }
  static func bytes(width: Int) -> Int { 2 * width * 8 + 6 * width * 4 }
}

/// Calls `body` on blocks of consecutive channels of at most `blockLanes` lanes, split between
/// the workers, each block with its own lane scratch.
private func forEachChannelBlock(c: Int, spatial: Int, _ body: (Range<Int>, LaneScratch) -> Void) {
  let perBlock = max(1, blockLanes / spatial)
  parallelChunks(c, minimumChunk: max(1, perBlock / 4)) { range in
    let width = min(range.count, perBlock) * spatial
    withUnsafeTemporaryAllocation(byteCount: LaneScratch.bytes(width: width), alignment: 64) { raw in
      let scratch = LaneScratch(base: raw.baseAddress!, width: width)
      for first in stride(from: range.lowerBound, to: range.upperBound, by: perBlock) {
        body(first..<min(first + perBlock, range.upperBound), scratch)
      }
    }
  }
}

/// Calls `body(channel, Σ_k acc[lane k of channel])` for each channel of the block, the lanes
/// added in position order.
@inline(__always)
private func channelTotals(
  _ acc: UnsafePointer<Double>, channels: Range<Int>, spatial: Int, _ body: (Int, Double) -> Void
) {
  for channel in channels {
    let lane = (channel - channels.lowerBound) * spatial
    var total = 0.0
    for k in lane..<(lane + spatial) { total += acc[k] }
    body(channel, total)
  }
}
