// 1×1 stride-1 convolutions with the images split between workers, forward and backward.
//
// On a 1×1 layer the NCHW planes of one image are already GEMM operands: Y_n = W · X_n
// ([outC, inC] · [inC, H·W]). `pointwiseDirect` gives each image's GEMM to OpenBLAS's threads;
// on thin layers (MobileNetV2's 16–160 channels) one image's product is a few MFLOP, and
// OpenBLAS's split of it, the hand-over to the second thread and the wait at its end cost as
// much as the arithmetic. Here each worker takes a contiguous run of images and multiplies
// them with single-threaded BLAS, so the workers never wait for each other inside a layer.
//
// The weight gradient is a sum over images: each worker sums its own images into a partial
// [outC, inC] in the workspace, and the partials are added to gradWeight in worker order, so
// the bits depend on the thread count (as oneDNN's do) but not on the scheduling.

/// Forward 1×1 convolution, images split between workers (see `isPointwise`).
///
/// - input: [batch, inChannels, height, width]
/// - weight: [outChannels, inChannels / groups, 1, 1]
/// - bias: [outChannels] or nil
/// - output: [batch, outChannels, height, width], overwritten
public func conv2dPointwiseForward(
  input: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
  output: UnsafeMutablePointer<Float>, geometry g: Conv2dGeometry
) {
  precondition(g.isPointwise, "pointwise direct cannot compute \(g)")
  let (input, weight, output) = (UncheckedSendable(input), UncheckedSendable(weight),
                                 UncheckedSendable(output))
  let bias = UncheckedSendable(bias)
  let workers = min(Threading.threadCount, g.batch)
  parallelWorkersWithSerialBLAS(workers) { worker in
    for image in imagesOf(worker, workers, batch: g.batch) {
      for group in 0..<g.groups {
        let (inOffset, outOffset) = pointwisePlanes(g, image: image, group: group)
        let outPerGroup = g.outChannelsPerGroup
        sgemm(.none, .none, m: outPerGroup, n: g.outputPlane, k: g.inChannelsPerGroup,
              a: weight.value + group * outPerGroup * g.inChannelsPerGroup,
              lda: g.inChannelsPerGroup, b: input.value + inOffset, ldb: g.inputPlane,
              c: output.value + outOffset, ldc: g.outputPlane)
      }
      if let bias = bias.value {
        for channel in 0..<g.outChannels {
          let plane = output.value + (image * g.outChannels + channel) * g.outputPlane
          let b = bias[channel]
          for i in 0..<g.outputPlane { plane[i] += b }
        }
      }
    }
  }
}

/// Backward of `conv2dPointwiseForward`.
///
/// - input, weight: as in the forward pass
/// - gradOutput: [batch, outChannels, height, width]
/// - gradInput: [batch, inChannels, height, width], overwritten; nil skips it
/// - gradWeight: [outChannels, inChannels / groups, 1, 1], accumulated (+=)
/// - gradBias: [outChannels], accumulated (+=); nil when there is no bias
public func conv2dPointwiseBackward(
  input: UnsafePointer<Float>, weight: UnsafePointer<Float>, gradOutput: UnsafePointer<Float>,
  gradInput: UnsafeMutablePointer<Float>?, gradWeight: UnsafeMutablePointer<Float>,
  gradBias: UnsafeMutablePointer<Float>?, geometry g: Conv2dGeometry, workspace: Conv2dWorkspace
) {
  precondition(g.isPointwise, "pointwise direct cannot compute \(g)")
  if let gradBias {
    conv2dBiasBackward(gradOutput: gradOutput, gradBias: gradBias, batch: g.batch,
                       channels: g.outChannels, plane: g.outputPlane)
  }
  let workers = min(Threading.threadCount, g.batch)
  let partials = UncheckedSendable(workspace.floats(workers * g.weightCount))
  let (input, weight, gradOutput) = (UncheckedSendable(input), UncheckedSendable(weight),
                                     UncheckedSendable(gradOutput))
  let gradInput = UncheckedSendable(gradInput)
  let (outPerGroup, inPerGroup) = (g.outChannelsPerGroup, g.inChannelsPerGroup)
  parallelWorkersWithSerialBLAS(workers) { worker in
    let partial = partials.value + worker * g.weightCount
    for (index, image) in imagesOf(worker, workers, batch: g.batch).enumerated() {
      for group in 0..<g.groups {
        let (inOffset, outOffset) = pointwisePlanes(g, image: image, group: group)
        let groupWeight = group * outPerGroup * inPerGroup
        // dW_g [outC/g, inC/g] (+)= dY_n [outC/g, HW] · X_nᵀ [HW, inC/g]
        sgemm(.none, .transposed, m: outPerGroup, n: inPerGroup, k: g.outputPlane,
              a: gradOutput.value + outOffset, lda: g.outputPlane,
              b: input.value + inOffset, ldb: g.inputPlane,
              beta: index == 0 ? 0 : 1, c: partial + groupWeight, ldc: inPerGroup)
        guard let gradInput = gradInput.value else { continue }
        // dX_n [inC/g, HW] = W_gᵀ [inC/g, outC/g] · dY_n [outC/g, HW]
        sgemm(.transposed, .none, m: inPerGroup, n: g.inputPlane, k: outPerGroup,
              a: weight.value + groupWeight, lda: inPerGroup,
              b: gradOutput.value + outOffset, ldb: g.outputPlane,
              c: gradInput + inOffset, ldc: g.inputPlane)
      }
    }
  }
  for worker in 0..<workers {
    let partial = partials.value + worker * g.weightCount
    for i in 0..<g.weightCount { gradWeight[i] += partial[i] }
  }
}

/// The images worker `worker` of `workers` takes: a contiguous, near-equal share.
@inline(__always)
private func imagesOf(_ worker: Int, _ workers: Int, batch: Int) -> Range<Int> {
  (batch * worker / workers)..<(batch * (worker + 1) / workers)
}

/// Offsets of image `image`'s group `group` in the input and output.
@inline(__always)
private func pointwisePlanes(_ g: Conv2dGeometry, image: Int, group: Int) -> (Int, Int) {
  ((image * g.inChannels + group * g.inChannelsPerGroup) * g.inputPlane,
   (image * g.outChannels + group * g.outChannelsPerGroup) * g.outputPlane)
}
