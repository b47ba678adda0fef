// The direct convolution's weight gradient for small output planes (MobileNetV2's last maps at
// CIFAR size: 4×4 to 1×1). Conv2dDirect.swift widens each output-gradient plane and phases each
// input plane before dotting whole SIMD blocks; for a plane of a few values those copies and the
// per-tap set-up cost more than the products themselves, so here a bounded loop reads both
// planes where they are.

/// Output planes of at most this many values take `directGradWeightSmallPlanes`.
let directSmallOutputPlane = 16

/// gradWeight[o, c, ky, kx] += Σ_image Σ_(oy, ox) dy[image, o, oy, ox] · x[image, c, iy, ix] over
/// the in-bounds input positions (iy, ix) = (oy·sh − ph + ky, ox·sw − pw + kx). Each image's sum
/// is taken in Float in raster order and added to a Double per weight, images in order (as the
/// SIMD path does with its dots); parallel over output channels, so any thread count gives the
/// same bits.
func directGradWeightSmallPlanes(
  input: UnsafePointer<Float>, gradOutput: UnsafePointer<Float>,
  gradWeight: UnsafeMutablePointer<Float>, geometry g: Conv2dGeometry
) {
  let inPerGroup = g.inChannelsPerGroup
  let terms = inPerGroup * g.kernelPlane
  parallelChunks(g.outChannels) { channels in
    withUnsafeTemporaryAllocation(of: Double.self, capacity: terms) { sums in
      for channel in channels {
        sums.initialize(repeating: 0)
        let group = channel / g.outChannelsPerGroup
        for image in 0..<g.batch {
          let dy = gradOutput + (image * g.outChannels + channel) * g.outputPlane
          for c in 0..<inPerGroup {
            let x = input + (image * g.inChannels + group * inPerGroup + c) * g.inputPlane
            for ky in 0..<g.kernelHeight {
              for kx in 0..<g.kernelWidth {
                var total: Float = 0
                for oy in 0..<g.outHeight {
                  let iy = oy * g.strideHeight - g.paddingHeight + ky
                  guard iy >= 0 && iy < g.height else { continue }
                  for ox in 0..<g.outWidth {
                    let ix = ox * g.strideWidth - g.paddingWidth + kx
                    if ix >= 0 && ix < g.width { total += dy[oy * g.outWidth + ox] * x[iy * g.width + ix] }
                  }
                }
                sums[(c * g.kernelHeight + ky) * g.kernelWidth + kx] += Double(total)
              }
            }
          }
        }
        for term in 0..<terms { gradWeight[channel * terms + term] += Float(sums[term]) }
      }
    }
  }
}
