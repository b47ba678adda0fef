import CDNNL
import Synchronization

// Convolution through oneDNN's JIT kernels, forward and backward, on our NCHW buffers.
//
// oneDNN's fast kernels want blocked layouts (nChw8c activations, OIhw8i8o weights on AVX2), so
// each call reorders its operands into the convolution workspace, runs the primitive and reorders
// the result back. The reorders are memory passes: they cost 1–7 % of a 3×3 convolution but
// 10–30 % of a 1×1 one (measured with reference/baseline.md's shapes), which is why
// `Conv2dAlgorithm.preferred` gives oneDNN only the geometries where it won *with* them.
//
// Primitives are built once per geometry (the JIT compiles code for each) and kept for the
// process; executions of one geometry are serialised on its own stream.

/// oneDNN's three convolution primitives for one geometry and the reorders around them.
final class OneDNNConvolution: @unchecked Sendable {
  let geometry: Conv2dGeometry
  private let stream: dnnl_stream_t
  private let lock = Mutex<Void>(())

  private let forwardPrimitive: OneDNNPrimitive
  private let backwardDataPrimitive: OneDNNPrimitive
  private let backwardWeightsPrimitive: OneDNNPrimitive

  // Forward operands.
  private let source: OneDNNOperand
  private let weights: OneDNNOperand
  private let destination: OneDNNOperand
  // Backward-data operands.
  private let gradDestination: OneDNNOperand
  private let weightsForGradInput: OneDNNOperand
  private let gradSource: OneDNNOperand
  // Backward-weights operands (the output gradient is shared when both chose the same layout).
  private let sourceForGradWeights: OneDNNOperand
  private let gradDestinationForGradWeights: OneDNNOperand?
  private let gradWeights: OneDNNOperand
  private let bias: dnnl_memory_desc_t

  /// Primitives by geometry and thread count: oneDNN fixes a primitive's split of the work (and
  /// with it the order of its reductions) when it builds it, from the thread count of the
  /// building thread. Keyed and built under `Threading.threadCount`, a convolution's bits
  /// depend on that count alone, never on which count happened to build it first.
  private static let cache = Mutex<[CacheKey: OneDNNConvolution?]>([:])

  private struct CacheKey: Hashable {
    let geometry: Conv2dGeometry
    let threads: Int
  }

  /// The primitives for `geometry` at the current thread count, built on first request; nil
  /// when oneDNN has no implementation for it (the caller falls back to the OpenBLAS kernels).
  static func shared(for geometry: Conv2dGeometry) -> OneDNNConvolution? {
    let key = CacheKey(geometry: geometry, threads: Threading.threadCount)
    return cache.withLock { entries in
      if let entry = entries[key] { return entry }
      OpenMPTeam.useThreadCount()
      let entry = OneDNNConvolution(geometry)
      entries[key] = entry
      return entry
    }
  }

  private init?(_ g: Conv2dGeometry) {
    geometry = g
    let plainSource = OneDNN.descriptor(g.inputShape, dnnl_nchw)
    let plainDestination = OneDNN.descriptor(g.outputShape, dnnl_nchw)
    let plainWeights = g.groups == 1
      ? OneDNN.descriptor(g.weightShape, dnnl_oihw)
      : OneDNN.descriptor([g.groups, g.outChannelsPerGroup] + g.weightShape.dropFirst(), dnnl_goihw)
    bias = OneDNN.descriptor([g.outChannels], dnnl_x)
    var anySource = OneDNN.descriptor(g.inputShape, dnnl_format_tag_any)
    var anyDestination = OneDNN.descriptor(g.outputShape, dnnl_format_tag_any)
    var anyWeights = g.groups == 1
      ? OneDNN.descriptor(g.weightShape, dnnl_format_tag_any)
      : OneDNN.descriptor([g.groups, g.outChannelsPerGroup] + g.weightShape.dropFirst(),
                          dnnl_format_tag_any)
    var biasDescriptor = bias
    let strides = OneDNN.dims([g.strideHeight, g.strideWidth])
    let padLeft = OneDNN.dims([g.paddingHeight, g.paddingWidth])
    // oneDNN wants the bottom/right padding that makes the output size come out exactly.
    let padRight = OneDNN.dims([
      (g.outHeight - 1) * g.strideHeight + g.kernelHeight - g.height - g.paddingHeight,
      (g.outWidth - 1) * g.strideWidth + g.kernelWidth - g.width - g.paddingWidth,
    ])

    var forwardDescriptor = dnnl_convolution_desc_t()
    var backwardDataDescriptor = dnnl_convolution_desc_t()
    var backwardWeightsDescriptor = dnnl_convolution_desc_t()
    var forwardPD: dnnl_primitive_desc_t?
    var backwardDataPD: dnnl_primitive_desc_t?
    var backwardWeightsPD: dnnl_primitive_desc_t?
    guard
      OneDNN.succeeded(dnnl_convolution_forward_desc_init(
        &forwardDescriptor, dnnl_forward_training, dnnl_convolution_direct, &anySource,
        &anyWeights, &biasDescriptor, &anyDestination, strides, padLeft, padRight)),
      OneDNN.succeeded(dnnl_primitive_desc_create(
        &forwardPD, &forwardDescriptor, OneDNN.userScratchpad, OneDNN.engine, nil)),
      OneDNN.succeeded(dnnl_convolution_backward_data_desc_init(
        &backwardDataDescriptor, dnnl_convolution_direct, &anySource, &anyWeights,
        &anyDestination, strides, padLeft, padRight)),
      OneDNN.succeeded(dnnl_primitive_desc_create(
        &backwardDataPD, &backwardDataDescriptor, OneDNN.userScratchpad, OneDNN.engine, forwardPD)),
      OneDNN.succeeded(dnnl_convolution_backward_weights_desc_init(
        &backwardWeightsDescriptor, dnnl_convolution_direct, &anySource, &anyWeights,
        &biasDescriptor, &anyDestination, strides, padLeft, padRight)),
      OneDNN.succeeded(dnnl_primitive_desc_create(
        &backwardWeightsPD, &backwardWeightsDescriptor, OneDNN.userScratchpad, OneDNN.engine, forwardPD)),
      let forwardPD, let backwardDataPD, let backwardWeightsPD
    else { return nil }
    defer {
      dnnl_primitive_desc_destroy(forwardPD)
      dnnl_primitive_desc_destroy(backwardDataPD)
      dnnl_primitive_desc_destroy(backwardWeightsPD)
    }
    func chosen(_ pd: dnnl_primitive_desc_t, _ query: dnnl_query_t) -> dnnl_memory_desc_t {
      dnnl_primitive_desc_query_md(pd, query, 0).pointee
    }
    source = OneDNNOperand(plain: plainSource, chosen: chosen(forwardPD, dnnl_query_src_md))
    weights = OneDNNOperand(plain: plainWeights, chosen: chosen(forwardPD, dnnl_query_weights_md))
    destination = OneDNNOperand(plain: plainDestination, chosen: chosen(forwardPD, dnnl_query_dst_md))
    gradDestination = OneDNNOperand(
      plain: plainDestination, chosen: chosen(backwardDataPD, dnnl_query_diff_dst_md))
    weightsForGradInput = OneDNNOperand(
      plain: plainWeights, chosen: chosen(backwardDataPD, dnnl_query_weights_md))
    gradSource = OneDNNOperand(
      plain: plainSource, chosen: chosen(backwardDataPD, dnnl_query_diff_src_md))
    sourceForGradWeights = OneDNNOperand(
      plain: plainSource, chosen: chosen(backwardWeightsPD, dnnl_query_src_md))
    var sharedGrad = chosen(backwardWeightsPD, dnnl_query_diff_dst_md)
    var dataGrad = gradDestination.chosen
    gradDestinationForGradWeights = dnnl_memory_desc_equal(&sharedGrad, &dataGrad) != 0
      ? nil : OneDNNOperand(plain: plainDestination, chosen: sharedGrad)
    gradWeights = OneDNNOperand(
      plain: plainWeights, chosen: chosen(backwardWeightsPD, dnnl_query_diff_weights_md))

    var stream: dnnl_stream_t?
    OneDNN.check(dnnl_stream_create(&stream, OneDNN.engine, dnnl_stream_default_flags.rawValue),
                 "creating a stream")
    self.stream = stream!
    forwardPrimitive = OneDNNPrimitive(forwardPD, "\(g) forward")
    backwardDataPrimitive = OneDNNPrimitive(backwardDataPD, "\(g) backward (input gradient)")
    backwardWeightsPrimitive = OneDNNPrimitive(backwardWeightsPD, "\(g) backward (weight gradient)")
  }

  /// The name of the implementation oneDNN picked for the forward pass ("jit:avx2", …).
  var implementation: String {
    var pd: const_dnnl_primitive_desc_t?
    dnnl_primitive_get_primitive_desc(forwardPrimitive.primitive, &pd)
    var name: UnsafePointer<CChar>?
    _ = withUnsafeMutablePointer(to: &name) { pointer in
      dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, pointer)
    }
    return name.map { String(cString: $0) } ?? "?"
  }

  /// Forward (see `conv2dForward`): output overwritten.
  func forward(
    input: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias biasValues: UnsafePointer<Float>?,
    output: UnsafeMutablePointer<Float>, workspace: Conv2dWorkspace
  ) {
    lock.withLock { _ in
      var scratch = ScratchCursor(workspace, floats: source.scratchFloats + weights.scratchFloats
                                    + destination.scratchFloats + forwardPrimitive.scratchpadFloats
                                    + 16 * 4 + geometry.outChannels)
      let src = source.into(UnsafeMutableRawPointer(mutating: input), scratch: &scratch, stream: stream)
      let wei = weights.into(UnsafeMutableRawPointer(mutating: weight), scratch: &scratch, stream: stream)
      let dst = destination.target(output, scratch: &scratch)
      var arguments = [(DNNL_ARG_SRC, src, source.chosen), (DNNL_ARG_WEIGHTS, wei, weights.chosen),
                       (DNNL_ARG_DST, dst, destination.chosen)]
      // A convolution without bias gets zeros: one primitive serves both.
      let biasBuffer = biasValues.map { UnsafeMutableRawPointer(mutating: $0) }
        ?? scratch.zeros(geometry.outChannels)
      arguments.append((DNNL_ARG_BIAS, biasBuffer, bias))
      forwardPrimitive.run(on: stream, arguments, scratch: &scratch, "running \(geometry) forward")
      destination.back(from: dst, to: output, scratch: &scratch, stream: stream)
    }
  }

  /// Backward (see `conv2dBackward`): gradInput overwritten, gradWeight and gradBias accumulated.
  func backward(
    input: UnsafePointer<Float>, weight: UnsafePointer<Float>, gradOutput: UnsafePointer<Float>,
    gradInput: UnsafeMutablePointer<Float>?, gradWeight: UnsafeMutablePointer<Float>,
    gradBias: UnsafeMutablePointer<Float>?, workspace: Conv2dWorkspace
  ) {
    lock.withLock { _ in
      let operands = [gradDestination, weightsForGradInput, gradSource, sourceForGradWeights,
                      gradWeights] + (gradDestinationForGradWeights.map { [$0] } ?? [])
      var scratch = ScratchCursor(
        workspace, floats: operands.reduce(0) { $0 + $1.scratchFloats + 16 }
          + backwardDataPrimitive.scratchpadFloats + backwardWeightsPrimitive.scratchpadFloats
          + 2 * (geometry.weightCount + geometry.outChannels) + 128)
      let dDst = gradDestination.into(
        UnsafeMutableRawPointer(mutating: gradOutput), scratch: &scratch, stream: stream)
      if let gradInput {
        let wei = weightsForGradInput.into(
          UnsafeMutableRawPointer(mutating: weight), scratch: &scratch, stream: stream)
        let dSrc = gradSource.target(gradInput, scratch: &scratch)
        backwardDataPrimitive.run(
          on: stream,
          [(DNNL_ARG_DIFF_DST, dDst, gradDestination.chosen),
           (DNNL_ARG_WEIGHTS, wei, weightsForGradInput.chosen),
           (DNNL_ARG_DIFF_SRC, dSrc, gradSource.chosen)],
          scratch: &scratch, "running \(geometry) backward (input gradient)")
        gradSource.back(from: dSrc, to: gradInput, scratch: &scratch, stream: stream)
      }
      let src = sourceForGradWeights.into(
        UnsafeMutableRawPointer(mutating: input), scratch: &scratch, stream: stream)
      let (dDstForWeights, dDstDescriptor) = gradDestinationForGradWeights.map {
        ($0.into(UnsafeMutableRawPointer(mutating: gradOutput), scratch: &scratch, stream: stream),
         $0.chosen)
      } ?? (dDst, gradDestination.chosen)
      // oneDNN overwrites its weight and bias gradients; ours accumulate, so they land in
      // scratch first.
      let plainGradWeight = scratch.floats(geometry.weightCount)
      let dWei = gradWeights.target(plainGradWeight, scratch: &scratch)
      let dBias = scratch.floats(geometry.outChannels)
      backwardWeightsPrimitive.run(
        on: stream,
        [(DNNL_ARG_SRC, src, sourceForGradWeights.chosen),
         (DNNL_ARG_DIFF_DST, dDstForWeights, dDstDescriptor),
         (DNNL_ARG_DIFF_WEIGHTS, dWei, gradWeights.chosen),
         (DNNL_ARG_DIFF_BIAS, UnsafeMutableRawPointer(dBias), bias)],
        scratch: &scratch, "running \(geometry) backward (weight gradient)")
      gradWeights.back(from: dWei, to: plainGradWeight, scratch: &scratch, stream: stream)
      for i in 0..<geometry.weightCount { gradWeight[i] += plainGradWeight[i] }
      if let gradBias {
        for i in 0..<geometry.outChannels { gradBias[i] += dBias[i] }
      }
    }
  }
}

/// Input plus output floats of one oneDNN call (32 MB): its blocked copies of the input, the
/// output and both gradients live in the convolution workspace, which is as large as the
/// largest call, so whole-batch calls on ResNeXt50's first grouped layer (67 MB per operand at
/// batch 128) added 0.23 GiB to a step's peak.
public let oneDNNFloatsPerCall = 1 << 23

/// Forward through oneDNN in calls of at most `floatsPerCall` floats of input and output each
/// (see `conv2dForward`); false, with nothing written, when oneDNN has no implementation.
public func oneDNNForward(
  input: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
  output: UnsafeMutablePointer<Float>, geometry g: Conv2dGeometry, workspace: Conv2dWorkspace,
  floatsPerCall: Int = oneDNNFloatsPerCall
) -> Bool {
  guard let calls = oneDNNCalls(for: g, floatsPerCall: floatsPerCall) else { return false }
  for (first, convolution) in calls {
    convolution.forward(input: input + first * g.inChannels * g.inputPlane, weight: weight, bias: bias,
                        output: output + first * g.outChannels * g.outputPlane, workspace: workspace)
  }
  return true
}

/// Backward through oneDNN in calls as `oneDNNForward` makes them (see `conv2dBackward`): the
/// calls' weight and bias gradients accumulate in order. False, with nothing written, when
/// oneDNN has no implementation.
public func oneDNNBackward(
  input: UnsafePointer<Float>, weight: UnsafePointer<Float>, gradOutput: UnsafePointer<Float>,
  gradInput: UnsafeMutablePointer<Float>?, gradWeight: UnsafeMutablePointer<Float>,
  gradBias: UnsafeMutablePointer<Float>?, geometry g: Conv2dGeometry, workspace: Conv2dWorkspace,
  floatsPerCall: Int = oneDNNFloatsPerCall
) -> Bool {
  guard let calls = oneDNNCalls(for: g, floatsPerCall: floatsPerCall) else { return false }
  let (inputImage, outputImage) = (g.inChannels * g.inputPlane, g.outChannels * g.outputPlane)
  for (first, convolution) in calls {
    convolution.backward(
      input: input + first * inputImage, weight: weight, gradOutput: gradOutput + first * outputImage,
      gradInput: gradInput.map { $0 + first * inputImage },
      gradWeight: gradWeight, gradBias: gradBias, workspace: workspace)
  }
  return true
}

/// The batch cut into calls of at most `floatsPerCall` floats of input and output: the first
/// image of each call and the primitives for its size (built once per size). Nil when oneDNN
/// has no implementation for one of them.
func oneDNNCalls(
  for g: Conv2dGeometry, floatsPerCall: Int
) -> [(first: Int, convolution: OneDNNConvolution)]? {
  let imageFloats = g.inChannels * g.inputPlane + g.outChannels * g.outputPlane
  let images = max(1, min(g.batch, floatsPerCall / imageFloats))
  var calls: [(first: Int, convolution: OneDNNConvolution)] = []
  for first in stride(from: 0, to: g.batch, by: images) {
    // withBatch fails only for a batch below 1.
    guard let part = try? g.withBatch(min(images, g.batch - first)),
          let convolution = OneDNNConvolution.shared(for: part) else { return nil }
    calls.append((first, convolution))
  }
  return calls
}

