// The per-channel bias of a convolution, forward and backward: shared by every algorithm.

/// Adds `bias[c]` to every pixel of channel `c` in images `firstImage..<firstImage + imageCount`.
///
/// - bias: [channels]
/// - output: [batch, channels, plane]
public func conv2dAddBias(
  _ bias: UnsafePointer<Float>, to output: UnsafeMutablePointer<Float>,
  firstImage: Int = 0, imageCount: Int, channels: Int, plane: Int
) {
  parallelChunks(imageCount * channels, minimumChunk: max(1, 16384 / plane)) { range in
    for task in range {
      let channel = task % channels
      let values = output + (firstImage * channels + task) * plane
      let b = bias[channel]
      for i in 0..<plane { values[i] += b }
    }
  }
}

/// Accumulates the bias gradient: gradBias[c] += Σ over images and pixels of gradOutput[·, c, ·].
///
/// Parallel over channels; each worker sums its channel's images in order (per-plane Float sums
/// added in Double), so the result does not depend on the thread count.
/// - gradOutput: [batch, channels, plane]
/// - gradBias: [channels], accumulated (+=)
public func conv2dBiasBackward(
  gradOutput: UnsafePointer<Float>, gradBias: UnsafeMutablePointer<Float>,
  batch: Int, channels: Int, plane: Int
) {
  parallelChunks(channels, minimumChunk: max(1, 16384 / max(1, batch * plane))) { range in
    for channel in range {
      var total = 0.0
      for image in 0..<batch {
        let values = gradOutput + (image * channels + channel) * plane
        total += Double(Conv2dVector.sum(values, count: plane))
      }
      gradBias[channel] += Float(total)
    }
  }
}
