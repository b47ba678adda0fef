// Depthwise convolution (groups == inChannels) as a direct kernel, forward and backward.
//
// Each output channel o reads the single input channel o / multiplier through its own kh×kw
// filter: a few MACs per pixel, far too little work for im2col + a one-row GEMM to pay off.
// Each plane is first copied into zero-padded phase planes (`DepthwiseLayout`), after which
// every loop is a branch-free SIMD weighted sum of shifted planes, whatever the stride and
// padding.
//
// Parallelism: forward and grad input over (image, channel) planes, each owned by one worker;
// grad weight over output channels, each worker reducing over all images in order. Results are
// therefore identical for any thread count. Scratch planes come from the workspace, one set per
// worker.

/// Forward depthwise convolution.
///
/// - input: [batch, inChannels, height, width]
/// - weight: [outChannels, 1, kernelHeight, kernelWidth], outChannels a multiple of inChannels
/// - bias: [outChannels] or nil
/// - output: [batch, outChannels, outHeight, outWidth], overwritten
public func depthwiseConv2dForward(
  input: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
  output: UnsafeMutablePointer<Float>, geometry g: Conv2dGeometry, workspace: Conv2dWorkspace
) {
  precondition(g.groups == g.inChannels, "depthwise kernel needs groups == inChannels: \(g)")
  let layout = DepthwiseLayout(g)
  let multiplier = g.outChannels / g.inChannels
  forEachWorker(g.batch * g.outChannels, layout: layout, workspace: workspace) { tasks, scratch in
    var phasedSource: UnsafePointer<Float>?
    for task in tasks {
      let image = task / g.outChannels
      let channel = task % g.outChannels
      // Consecutive output channels of one input channel (multiplier > 1) share its phases.
      let source = input + (image * g.inChannels + channel / multiplier) * g.inputPlane
      if source != phasedSource {
        layout.phase(source, into: scratch.phased)
        phasedSource = source
      }
      layout.correlate(scratch.phased, weight + channel * g.kernelPlane,
                       bias: bias?[channel] ?? 0, into: scratch.wide)
      layout.copyValidColumns(of: scratch.wide, to: output + task * g.outputPlane)
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
  gradBias: UnsafeMutablePointer<Float>?, geometry g: Conv2dGeometry, workspace: Conv2dWorkspace
) {
  precondition(g.groups == g.inChannels, "depthwise kernel needs groups == inChannels: \(g)")
  if let gradBias {
    conv2dBiasBackward(gradOutput: gradOutput, gradBias: gradBias, batch: g.batch,
                       channels: g.outChannels, plane: g.outputPlane)
  }
  if let gradInput {
    depthwiseGradInput(weight: weight, gradOutput: gradOutput, gradInput: gradInput,
                       geometry: g, workspace: workspace)
  }
  depthwiseGradWeight(input: input, gradOutput: gradOutput, gradWeight: gradWeight,
                      geometry: g, workspace: workspace)
}

/// gradInput[n, c]: the gradient of the channel's phase planes, summed over its `multiplier`
/// output channels, then scattered back to the unpadded plane. One input plane per task.
private func depthwiseGradInput(
  weight: UnsafePointer<Float>, gradOutput: UnsafePointer<Float>,
  gradInput: UnsafeMutablePointer<Float>, geometry g: Conv2dGeometry, workspace: Conv2dWorkspace
) {
  let layout = DepthwiseLayout(g)
  let multiplier = g.outChannels / g.inChannels
  forEachWorker(g.batch * g.inChannels, layout: layout, workspace: workspace) { tasks, scratch in
    for task in tasks {
      let image = task / g.inChannels
      let channel = task % g.inChannels
      for outChannel in channel * multiplier..<(channel + 1) * multiplier {
        layout.widenWithMargins(
          gradOutput + (image * g.outChannels + outChannel) * g.outputPlane, into: scratch.wide)
        layout.correlateTransposed(
          scratch.wide, weight + outChannel * g.kernelPlane, into: scratch.phased,
          accumulate: outChannel != channel * multiplier)
      }
      layout.unphase(scratch.phased, to: gradInput + task * g.inputPlane)
    }
  }
}

/// gradWeight[o, tap] += Σ over images and output pixels of gradOutput · the input pixel under
/// the tap: one output channel per task, images reduced inside the task in order.
private func depthwiseGradWeight(
  input: UnsafePointer<Float>, gradOutput: UnsafePointer<Float>,
  gradWeight: UnsafeMutablePointer<Float>, geometry g: Conv2dGeometry, workspace: Conv2dWorkspace
) {
  let layout = DepthwiseLayout(g)
  let multiplier = g.outChannels / g.inChannels
  forEachWorker(g.outChannels, layout: layout, workspace: workspace) { channels, scratch in
    withUnsafeTemporaryAllocation(of: Double.self, capacity: g.kernelPlane) { sums in
      for channel in channels {
        sums.initialize(repeating: 0)
        for image in 0..<g.batch {
          layout.phase(input + (image * g.inChannels + channel / multiplier) * g.inputPlane,
                       into: scratch.phased)
          layout.widen(gradOutput + (image * g.outChannels + channel) * g.outputPlane,
                       into: scratch.wide)
          // Junk columns of the wide gradient are zero, so whole blocks can be dotted.
          for tap in 0..<g.kernelPlane {
            let products = Conv2dVector.dot(scratch.wide, scratch.phased + layout.tapOffset(tap),
                                            count: layout.wideBlockCount)
            sums[tap] += Double(products)
          }
        }
        for tap in 0..<g.kernelPlane {
          gradWeight[channel * g.kernelPlane + tap] += Float(sums[tap])
        }
      }
    }
  }
}

/// One worker's scratch planes.
private struct DepthwiseScratch {
  /// Phase planes of a padded input plane, or their gradient (`DepthwiseLayout.phasedCount`).
  let phased: UnsafeMutablePointer<Float>
  /// An output (gradient) plane in the wide layout, with zero margins where needed.
  let wide: UnsafeMutablePointer<Float>
}

/// Splits `count` tasks into one contiguous range per worker and hands each its own scratch
/// from `workspace`.
private func forEachWorker(
  _ count: Int, layout: DepthwiseLayout, workspace: Conv2dWorkspace,
  _ body: (Range<Int>, DepthwiseScratch) -> Void
) {
  guard count > 0 else { return }
  // At least ~16K MACs per worker, or the dispatch costs more than it saves.
  let minimumTasks = max(1, 16384 / max(1, layout.macsPerPlane))
  let workers = min(Threading.threadCount, max(1, count / minimumTasks))
  let perWorker = layout.scratchFloatsPerWorker
  let scratch = workspace.floats(workers * perWorker)
  parallelFor(workers) { worker in
    let base = scratch + worker * perWorker
    body(count * worker / workers..<count * (worker + 1) / workers,
         DepthwiseScratch(phased: base, wide: base + layout.phasedCount))
  }
}
