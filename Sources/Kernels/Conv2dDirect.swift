// Direct convolution, forward and backward, made for narrow groups: depthwise convolutions
// (one input channel per group, MobileNet), where it is the preferred algorithm. It is correct
// for any geometry (tests run it on dense and ResNeXt-style grouped convolutions too).
//
// With C/g input and outC/g output channels per group, an im2col GEMM per group has only
// outC/g rows: thinner than any GEMM can use, while im2col still copies every input pixel
// kh·kw times. Here each plane is instead copied once into zero-padded phase planes
// (`Conv2dDirectLayout`), after which every output plane is a branch-free SIMD weighted sum of
// (C/g)·kh·kw shifted planes, whatever the stride and padding.
//
// Parallelism: forward over (image, output channel) planes and grad input over (image, input
// channel) planes, each owned by one worker; grad weight over output channels, each worker
// reducing over all images in order. Results are therefore identical for any thread count.
// Scratch comes from the workspace, one set per worker.

/// Forward direct convolution, for any geometry; fast when channels per group are few.
///
/// - input: [batch, inChannels, height, width]
/// - weight: [outChannels, inChannels / groups, kernelHeight, kernelWidth]
/// - bias: [outChannels] or nil
/// - output: [batch, outChannels, outHeight, outWidth], overwritten
public func conv2dDirectForward(
  input: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
  output: UnsafeMutablePointer<Float>, geometry g: Conv2dGeometry, workspace: Conv2dWorkspace
) {
  let layout = Conv2dDirectLayout(g)
  let inPerGroup = g.inChannelsPerGroup
  let terms = inPerGroup * g.kernelPlane
  forEachWorker(g.batch * g.outChannels, geometry: g, layout: layout, workspace: workspace) {
    tasks, scratch in
    withUnsafeTemporaryAllocation(of: UnsafePointer<Float>.self, capacity: terms) { sources in
      // Term (c, tap) reads input channel c of the group at the tap's offset; the weights of
      // an output channel are stored in the same (c, tap) order.
      for c in 0..<inPerGroup {
        for tap in 0..<g.kernelPlane {
          sources[c * g.kernelPlane + tap] = UnsafePointer(scratch.phased(c) + layout.tapOffset(tap))
        }
      }
      var phasedGroup = (image: -1, group: -1)
      for task in tasks {
        let image = task / g.outChannels
        let channel = task % g.outChannels
        let group = channel / g.outChannelsPerGroup
        // Consecutive output channels of a group share its phased input planes.
        if phasedGroup != (image, group) {
          for c in 0..<inPerGroup {
            let plane = input + (image * g.inChannels + group * inPerGroup + c) * g.inputPlane
            layout.phase(plane, into: scratch.phased(c))
          }
          phasedGroup = (image, group)
        }
        conv2dDirectWeightedSum(
          sources.baseAddress!, weights: weight + channel * terms, terms: terms,
          bias: bias?[channel] ?? 0, accumulate: false, into: scratch.wide(0),
          count: layout.wideBlockCount)
        layout.copyValidColumns(of: scratch.wide(0), to: output + task * g.outputPlane)
      }
    }
  }
}

/// Backward of `conv2dDirectForward`.
///
/// - input, weight: as in the forward pass
/// - gradOutput: [batch, outChannels, outHeight, outWidth]
/// - gradInput: [batch, inChannels, height, width], overwritten; nil skips it
/// - gradWeight: [outChannels, inChannels / groups, kernelHeight, kernelWidth], accumulated (+=)
/// - gradBias: [outChannels], accumulated (+=); nil when there is no bias
public func conv2dDirectBackward(
  input: UnsafePointer<Float>, weight: UnsafePointer<Float>, gradOutput: UnsafePointer<Float>,
  gradInput: UnsafeMutablePointer<Float>?, gradWeight: UnsafeMutablePointer<Float>,
  gradBias: UnsafeMutablePointer<Float>?, geometry g: Conv2dGeometry, workspace: Conv2dWorkspace
) {
  if let gradBias {
    conv2dBiasBackward(gradOutput: gradOutput, gradBias: gradBias, batch: g.batch,
                       channels: g.outChannels, plane: g.outputPlane)
  }
  if let gradInput {
    directGradInput(weight: weight, gradOutput: gradOutput, gradInput: gradInput,
                    geometry: g, workspace: workspace)
  }
  if g.outputPlane <= directSmallOutputPlane {
    directGradWeightSmallPlanes(input: input, gradOutput: gradOutput, gradWeight: gradWeight, geometry: g)
  } else {
    directGradWeight(input: input, gradOutput: gradOutput, gradWeight: gradWeight,
                     geometry: g, workspace: workspace)
  }
}

/// gradInput[n, c]: the gradient of the channel's phase planes, a weighted sum of its group's
/// output gradients shifted back by each tap's offset, one phase plane at a time; then scattered
/// back to the unpadded plane. One input plane per task.
private func directGradInput(
  weight: UnsafePointer<Float>, gradOutput: UnsafePointer<Float>,
  gradInput: UnsafeMutablePointer<Float>, geometry g: Conv2dGeometry, workspace: Conv2dWorkspace
) {
  let layout = Conv2dDirectLayout(g)
  let outPerGroup = g.outChannelsPerGroup
  let maximumTerms = outPerGroup * g.kernelPlane
  forEachWorker(g.batch * g.inChannels, geometry: g, layout: layout, workspace: workspace) {
    tasks, scratch in
    withTermBuffers(capacity: maximumTerms, layout: layout) { sources, weights, tapPhases in
      var widenedGroup = (image: -1, group: -1)
      for task in tasks {
        let image = task / g.inChannels
        let channel = task % g.inChannels
        let group = channel / g.inChannelsPerGroup
        let localChannel = channel % g.inChannelsPerGroup
        // Consecutive input channels of a group read the same output gradients.
        if widenedGroup != (image, group) {
          for o in 0..<outPerGroup {
            let plane = gradOutput
              + (image * g.outChannels + group * outPerGroup + o) * g.outputPlane
            layout.widenWithMargins(plane, into: scratch.wide(o))
          }
          widenedGroup = (image, group)
        }
        let gradPhased = scratch.phased(0)
        for phase in 0..<g.strideHeight * g.strideWidth {
          // Terms: every (output channel, tap) pair whose tap reads this phase plane.
          var terms = 0
          for o in 0..<outPerGroup {
            let filter = weight + ((group * outPerGroup + o) * g.inChannelsPerGroup
              + localChannel) * g.kernelPlane
            for tap in 0..<g.kernelPlane where tapPhases[tap].phase == phase {
              sources[terms] = UnsafePointer(scratch.wide(o)) + layout.margin
                - tapPhases[tap].offset
              weights[terms] = filter[tap]
              terms += 1
            }
          }
          conv2dDirectWeightedSum(
            sources.baseAddress!, weights: weights.baseAddress!, terms: terms, bias: 0,
            accumulate: false, into: gradPhased + phase * layout.phaseStride,
            count: layout.phaseStride)
        }
        layout.unphase(gradPhased, to: gradInput + task * g.inputPlane)
      }
    }
  }
}

/// Stack buffers for one worker of the grad-input pass: the terms' source pointers and
/// weights, and every tap's phase and in-phase offset (looked up per task instead of divided
/// out again).
private func withTermBuffers(
  capacity: Int, layout: Conv2dDirectLayout,
  _ body: (
    UnsafeMutableBufferPointer<UnsafePointer<Float>>, UnsafeMutableBufferPointer<Float>,
    UnsafeBufferPointer<(phase: Int, offset: Int)>
  ) -> Void
) {
  let taps = layout.geometry.kernelPlane
  withUnsafeTemporaryAllocation(of: UnsafePointer<Float>.self, capacity: capacity) { sources in
    withUnsafeTemporaryAllocation(of: Float.self, capacity: capacity) { weights in
      withUnsafeTemporaryAllocation(of: (phase: Int, offset: Int).self, capacity: taps) { phases in
        for tap in 0..<taps { phases[tap] = layout.phase(ofTap: tap) }
        body(sources, weights, UnsafeBufferPointer(phases))
      }
    }
  }
}

/// gradWeight[o, c, tap] += Σ over images and output pixels of gradOutput[o] · the input pixel
/// of channel c under the tap: one output channel per task, images reduced inside the task in
/// order.
private func directGradWeight(
  input: UnsafePointer<Float>, gradOutput: UnsafePointer<Float>,
  gradWeight: UnsafeMutablePointer<Float>, geometry g: Conv2dGeometry, workspace: Conv2dWorkspace
) {
  let layout = Conv2dDirectLayout(g)
  let inPerGroup = g.inChannelsPerGroup
  let terms = inPerGroup * g.kernelPlane
  // Each tap's offset in the phased plane, worked out once rather than per image and channel.
  let offsets = (0..<g.kernelPlane).map(layout.tapOffset)
  forEachWorker(g.outChannels, geometry: g, layout: layout, workspace: workspace) {
    channels, scratch in
    withUnsafeTemporaryAllocation(of: Double.self, capacity: terms) { sums in
      for channel in channels {
        sums.initialize(repeating: 0)
        let group = channel / g.outChannelsPerGroup
        for image in 0..<g.batch {
          layout.widen(gradOutput + (image * g.outChannels + channel) * g.outputPlane,
                       into: scratch.wide(0))
          for c in 0..<inPerGroup {
            let plane = input + (image * g.inChannels + group * inPerGroup + c) * g.inputPlane
            layout.phase(plane, into: scratch.phased(0))
            // Junk columns of the wide gradient are zero, so whole blocks can be dotted; three
            // taps at a time share the loads of the gradient.
            let (wide, phased) = (scratch.wide(0), scratch.phased(0))
            let tapSums = sums.baseAddress! + c * g.kernelPlane
            var tap = 0
            while tap + 3 <= g.kernelPlane {
              let products = Conv2dVector.dots(
                wide, phased + offsets[tap], phased + offsets[tap + 1], phased + offsets[tap + 2],
                count: layout.wideBlockCount)
              tapSums[tap] += Double(products.0)
              tapSums[tap + 1] += Double(products.1)
              tapSums[tap + 2] += Double(products.2)
              tap += 3
            }
            while tap < g.kernelPlane {
              tapSums[tap] += Double(Conv2dVector.dot(wide, phased + offsets[tap], count: layout.wideBlockCount))
              tap += 1
            }
          }
        }
        for term in 0..<terms { gradWeight[channel * terms + term] += Float(sums[term]) }
      }
    }
  }
}

/// One worker's scratch: phased planes for a group's input channels and wide planes for its
/// output channels.
private struct DirectScratch {
  let base: UnsafeMutablePointer<Float>
  let layout: Conv2dDirectLayout

  /// Phase planes of input channel `c` of the group (or, in grad input, of its gradient).
  func phased(_ c: Int) -> UnsafeMutablePointer<Float> { base + c * layout.phasedCount }

  /// Wide plane of output channel `o` of the group.
  func wide(_ o: Int) -> UnsafeMutablePointer<Float> {
    base + layout.geometry.inChannelsPerGroup * layout.phasedCount + o * layout.wideCount
  }

  static func floats(_ layout: Conv2dDirectLayout) -> Int {
    let g = layout.geometry
    return g.inChannelsPerGroup * layout.phasedCount + g.outChannelsPerGroup * layout.wideCount
  }
}

/// Splits `count` tasks into one contiguous range per worker and hands each its own scratch
/// from `workspace`.
private func forEachWorker(
  _ count: Int, geometry g: Conv2dGeometry, layout: Conv2dDirectLayout,
  workspace: Conv2dWorkspace, _ body: (Range<Int>, DirectScratch) -> Void
) {
  guard count > 0 else { return }
  // At least ~16K MACs per worker, or the dispatch costs more than it saves.
  let macsPerTask = max(1, g.outputPlane * g.columnRows)
  let workers = min(Threading.threadCount, max(1, count / max(1, 16384 / macsPerTask)))
  let perWorker = DirectScratch.floats(layout)
  let scratch = workspace.floats(workers * perWorker)
  parallelFor(workers) { worker in
    body(count * worker / workers..<count * (worker + 1) / workers,
         DirectScratch(base: scratch + worker * perWorker, layout: layout))
  }
}
