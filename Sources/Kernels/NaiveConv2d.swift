// Reference convolution in plain nested loops with Double accumulation, for tests.
// Straight from the definition, for any geometry (groups, strides, padding, depthwise):
//
//   output[n, o, oy, ox] = bias[o] + Σ_{c, ki, kj} weight[o, c, ki, kj]
//                          · input[n, g(o) · C/g + c, oy · sh − ph + ki, ox · sw − pw + kj]
//
// with out-of-range input pixels read as zero and g(o) = o / (outC/g).

/// Reference forward convolution.
///
/// - input: [batch, inChannels, height, width]
/// - weight: [outChannels, inChannels / groups, kernelHeight, kernelWidth]
/// - bias: [outChannels] or nil
/// - output: [batch, outChannels, outHeight, outWidth], overwritten
public func naiveConv2dForward(
  input: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
  output: UnsafeMutablePointer<Float>, geometry g: Conv2dGeometry
) {
  for n in 0..<g.batch {
    for o in 0..<g.outChannels {
      let group = o / g.outChannelsPerGroup
      for oy in 0..<g.outHeight {
        for ox in 0..<g.outWidth {
          var sum = Double(bias?[o] ?? 0)
          for c in 0..<g.inChannelsPerGroup {
            for ki in 0..<g.kernelHeight {
              for kj in 0..<g.kernelWidth {
                guard let i = naiveInputIndex(g, n, group, c, oy, ox, ki, kj) else { continue }
                sum += Double(weight[naiveWeightIndex(g, o, c, ki, kj)]) * Double(input[i])
              }
            }
          }
          output[naiveOutputIndex(g, n, o, oy, ox)] = Float(sum)
        }
      }
    }
  }
}

/// Reference backward convolution: the same loops as the forward pass, with each product's
/// gradient sent to both factors.
///
/// - input, weight: as in the forward pass
/// - gradOutput: [batch, outChannels, outHeight, outWidth]
/// - gradInput: [batch, inChannels, height, width], overwritten
/// - gradWeight: [outChannels, inChannels / groups, kernelHeight, kernelWidth], accumulated (+=)
/// - gradBias: [outChannels], accumulated (+=), or nil
public func naiveConv2dBackward(
  input: UnsafePointer<Float>, weight: UnsafePointer<Float>, gradOutput: UnsafePointer<Float>,
  gradInput: UnsafeMutablePointer<Float>, gradWeight: UnsafeMutablePointer<Float>,
  gradBias: UnsafeMutablePointer<Float>?, geometry g: Conv2dGeometry
) {
  var dInput = [Double](repeating: 0, count: g.inputCount)
  var dWeight = [Double](repeating: 0, count: g.weightCount)
  var dBias = [Double](repeating: 0, count: g.outChannels)
  for n in 0..<g.batch {
    for o in 0..<g.outChannels {
      let group = o / g.outChannelsPerGroup
      for oy in 0..<g.outHeight {
        for ox in 0..<g.outWidth {
          let dy = Double(gradOutput[naiveOutputIndex(g, n, o, oy, ox)])
          dBias[o] += dy
          for c in 0..<g.inChannelsPerGroup {
            for ki in 0..<g.kernelHeight {
              for kj in 0..<g.kernelWidth {
                guard let i = naiveInputIndex(g, n, group, c, oy, ox, ki, kj) else { continue }
                let w = naiveWeightIndex(g, o, c, ki, kj)
                dInput[i] += Double(weight[w]) * dy
                dWeight[w] += Double(input[i]) * dy
              }
            }
          }
        }
      }
    }
  }
  for i in 0..<g.inputCount { gradInput[i] = Float(dInput[i]) }
  for i in 0..<g.weightCount { gradWeight[i] = Float(Double(gradWeight[i]) + dWeight[i]) }
  if let gradBias {
    for o in 0..<g.outChannels { gradBias[o] = Float(Double(gradBias[o]) + dBias[o]) }
  }
}

/// Flat index of input[n, group · C/g + c, iy, ix] under output pixel (oy, ox) and tap (ki, kj),
/// or nil when the tap falls in the zero padding.
private func naiveInputIndex(
  _ g: Conv2dGeometry, _ n: Int, _ group: Int, _ c: Int,
  _ oy: Int, _ ox: Int, _ ki: Int, _ kj: Int
) -> Int? {
  let iy = oy * g.strideHeight - g.paddingHeight + ki
  let ix = ox * g.strideWidth - g.paddingWidth + kj
  guard iy >= 0, iy < g.height, ix >= 0, ix < g.width else { return nil }
  let channel = group * g.inChannelsPerGroup + c
  return ((n * g.inChannels + channel) * g.height + iy) * g.width + ix
}

private func naiveOutputIndex(_ g: Conv2dGeometry, _ n: Int, _ o: Int, _ oy: Int, _ ox: Int) -> Int {
  ((n * g.outChannels + o) * g.outHeight + oy) * g.outWidth + ox
}

private func naiveWeightIndex(_ g: Conv2dGeometry, _ o: Int, _ c: Int, _ ki: Int, _ kj: Int) -> Int {
  ((o * g.inChannelsPerGroup + c) * g.kernelHeight + ki) * g.kernelWidth + kj
}
