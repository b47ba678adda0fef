// Depthwise convolution (groups == inChannels) as a direct kernel, forward and backward.
//
// Each output channel o reads the single input channel o / multiplier through its own kh×kw
// filter: a few MACs per pixel, far too little work for im2col + a one-row GEMM to pay off.
// The loops run row by row and tap by tap over clamped column ranges, so the innermost loop is a
// contiguous axpy or dot (for stride 1) with no per-element padding test.
//
// Parallelism: forward and grad input over (image, channel) planes, each plane owned by one
// worker; grad weight over output channels, each worker reducing over all images in order.
// Results are therefore identical for any thread count.

/// Forward depthwise convolution.
///
/// - input: [batch, inChannels, height, width]
/// - weight: [outChannels, 1, kernelHeight, kernelWidth], outChannels a multiple of inChannels
/// - bias: [outChannels] or nil
/// - output: [batch, outChannels, outHeight, outWidth], overwritten
public func depthwiseConv2dForward(
  input: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
  output: UnsafeMutablePointer<Float>, geometry g: Conv2dGeometry
) {
  precondition(g.groups == g.inChannels, "depthwise kernel needs groups == inChannels: \(g)")
  let multiplier = g.outChannels / g.inChannels
  let planes = g.batch * g.outChannels
  parallelChunks(planes, minimumChunk: max(1, 4096 / (g.outputPlane * g.kernelPlane))) { range in
    for task in range {
      let image = task / g.outChannels
      let channel = task % g.outChannels
      let source = input + (image * g.inChannels + channel / multiplier) * g.inputPlane
      let destination = output + task * g.outputPlane
      let filter = weight + channel * g.kernelPlane
      destination.update(repeating: bias?[channel] ?? 0, count: g.outputPlane)
      forEachValidTapRow(g) { oy, iy, tap, kernelColumn, columns in
        let outRow = destination + oy * g.outWidth + columns.lowerBound
        let inRow = source + iy * g.width
          + columns.lowerBound * g.strideWidth - g.paddingWidth + kernelColumn
        let w = filter[tap]
        if g.strideWidth == 1 {
          Conv2dVector.addScaled(inRow, by: w, into: outRow, count: columns.count)
        } else {
          for i in 0..<columns.count { outRow[i] += w * inRow[i * g.strideWidth] }
        }
      }
    }
  }
}

/// Backward of `depthwiseConv2dForward`.
///
/// - input, weight: as in the forward pass
/// - gradOutput: [batch, outChannels, outHeight, outWidth]
/// - gradInput: [batch, inChannels, height, width], overwritten; nil skips it
/// - gradWeight: [outChannels, 1, kernelHeight, kernelWidth], accumulated (+=)
/// - gradBias: [outChannels], accumulated (+=); nil when there is no bias
public func depthwiseConv2dBackward(
  input: UnsafePointer<Float>, weight: UnsafePointer<Float>, gradOutput: UnsafePointer<Float>,
  gradInput: UnsafeMutablePointer<Float>?, gradWeight: UnsafeMutablePointer<Float>,
  gradBias: UnsafeMutablePointer<Float>?, geometry g: Conv2dGeometry
) {
  precondition(g.groups == g.inChannels, "depthwise kernel needs groups == inChannels: \(g)")
  if let gradBias {
    conv2dBiasBackward(gradOutput: gradOutput, gradBias: gradBias, batch: g.batch,
                       channels: g.outChannels, plane: g.outputPlane)
  }
  if let gradInput {
    depthwiseGradInput(weight: weight, gradOutput: gradOutput, gradInput: gradInput, geometry: g)
  }
  depthwiseGradWeight(input: input, gradOutput: gradOutput, gradWeight: gradWeight, geometry: g)
}

/// gradInput[n, c] = Σ over the channel's `multiplier` outputs o and taps of
/// w[o, tap] · gradOutput[n, o] scattered back through the window: one plane per task.
private func depthwiseGradInput(
  weight: UnsafePointer<Float>, gradOutput: UnsafePointer<Float>,
  gradInput: UnsafeMutablePointer<Float>, geometry g: Conv2dGeometry
) {
  let multiplier = g.outChannels / g.inChannels
  let planes = g.batch * g.inChannels
  parallelChunks(planes, minimumChunk: max(1, 4096 / (g.outputPlane * g.kernelPlane))) { range in
    for task in range {
      let image = task / g.inChannels
      let channel = task % g.inChannels
      let destination = gradInput + task * g.inputPlane
      destination.update(repeating: 0, count: g.inputPlane)
      for outChannel in channel * multiplier..<(channel + 1) * multiplier {
        let source = gradOutput + (image * g.outChannels + outChannel) * g.outputPlane
        let filter = weight + outChannel * g.kernelPlane
        forEachValidTapRow(g) { oy, iy, tap, kernelColumn, columns in
          let outRow = source + oy * g.outWidth + columns.lowerBound
          let inRow = destination + iy * g.width
            + columns.lowerBound * g.strideWidth - g.paddingWidth + kernelColumn
          let w = filter[tap]
          if g.strideWidth == 1 {
            Conv2dVector.addScaled(outRow, by: w, into: inRow, count: columns.count)
          } else {
            for i in 0..<columns.count { inRow[i * g.strideWidth] += w * outRow[i] }
          }
        }
      }
    }
  }
}

/// gradWeight[o, tap] += Σ over images and output pixels of gradOutput · the input pixel under
/// the tap: one output channel per task, images reduced inside the task in order.
private func depthwiseGradWeight(
  input: UnsafePointer<Float>, gradOutput: UnsafePointer<Float>,
  gradWeight: UnsafeMutablePointer<Float>, geometry g: Conv2dGeometry
) {
  let multiplier = g.outChannels / g.inChannels
  let work = g.batch * g.outputPlane * g.kernelPlane
  parallelChunks(g.outChannels, minimumChunk: max(1, 4096 / work)) { range in
    withUnsafeTemporaryAllocation(of: Double.self, capacity: g.kernelPlane) { sums in
      for channel in range {
        sums.initialize(repeating: 0)
        for image in 0..<g.batch {
          let source = input + (image * g.inChannels + channel / multiplier) * g.inputPlane
          let gradient = gradOutput + (image * g.outChannels + channel) * g.outputPlane
          forEachValidTapRow(g) { oy, iy, tap, kernelColumn, columns in
            let outRow = gradient + oy * g.outWidth + columns.lowerBound
            let inRow = source + iy * g.width
              + columns.lowerBound * g.strideWidth - g.paddingWidth + kernelColumn
            var rowSum: Float
            if g.strideWidth == 1 {
              rowSum = Conv2dVector.dot(outRow, inRow, count: columns.count)
            } else {
              rowSum = 0
              for i in 0..<columns.count { rowSum += outRow[i] * inRow[i * g.strideWidth] }
            }
            sums[tap] += Double(rowSum)
          }
        }
        for tap in 0..<g.kernelPlane {
          gradWeight[channel * g.kernelPlane + tap] += Float(sums[tap])
        }
      }
    }
  }
}

/// Calls `body(oy, iy, tap, kernelColumn, columns)` for every output row `oy` and kernel tap
/// whose window row `iy` is inside the input, with `columns` the output columns whose tap lands
/// inside the input too: the padding border is clipped here, once per row and tap.
@inline(__always)
private func forEachValidTapRow(
  _ g: Conv2dGeometry, _ body: (Int, Int, Int, Int, Range<Int>) -> Void
) {
  for oy in 0..<g.outHeight {
    for kernelRow in 0..<g.kernelHeight {
      let iy = oy * g.strideHeight - g.paddingHeight + kernelRow
      guard iy >= 0 && iy < g.height else { continue }
      for kernelColumn in 0..<g.kernelWidth {
        let columns = g.validOutputColumns(kernelColumn: kernelColumn)
        guard !columns.isEmpty else { continue }
        body(oy, iy, kernelRow * g.kernelWidth + kernelColumn, kernelColumn, columns)
      }
    }
  }
}
