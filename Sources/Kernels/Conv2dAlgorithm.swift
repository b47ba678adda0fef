/// How a convolution is computed. All algorithms give the same result up to Float rounding;
/// they differ in speed and memory.
public enum Conv2dAlgorithm: Sendable, Equatable, Hashable {
  /// im2col + one sgemm per group on chunks of `imagesPerChunk` images. Works for every
  /// geometry; for a 1×1 stride-1 kernel im2col is a plain gather of the chunk's planes.
  case im2colGEMM(imagesPerChunk: Int)
  /// Stride 1, padding ≤ kernel − 1 (3×3 "same" convolutions): kernelHeight GEMMs per chunk
  /// over row-shifted copies of the input (kernelWidth copies instead of im2col's kh·kw), and
  /// the input gradient as the flipped convolution, with no col2im.
  case shiftedRows(imagesPerChunk: Int)
  /// Dense 3×3, stride 1: Winograd's F(4×4, 3×3), 36 GEMMs per chunk of images on transformed
  /// tiles, a quarter of the direct multiply-accumulates (`Conv2dWinograd.swift`).
  case winograd(imagesPerChunk: Int)
  /// 1×1, stride 1, no padding: one sgemm per image and group straight on the NCHW buffers,
  /// the images split between workers with single-threaded BLAS (`Conv2dPointwise.swift`).
  case pointwiseDirect
  /// Direct kernel over zero-padded phase planes. Works for every geometry; preferred for
  /// depthwise convolutions (MobileNet). On ResNeXt's groups of 4–32 channels it measured about
  /// as fast as im2colGEMM, which therefore stays the default there.
  case direct
  /// oneDNN's JIT kernels in their blocked layouts, with reorders from and to NCHW around each
  /// call (`OneDNNConvolution`). Falls back to the preferred OpenBLAS kernel when oneDNN has no
  /// implementation for the geometry.
  case oneDNN

  /// Smallest output plane for which a pointwise GEMM per image is wide enough on its own;
  /// below it, packing several images into one GEMM wins.
  public static let pointwiseDirectMinimumPlane = 256

  /// Fewest input channels for Winograd: below it the GEMMs' depth is too thin to pay for the
  /// transforms (stems on image channels stay on shifted rows, or oneDNN under `auto`).
  public static let winogradMinimumInputChannels = 8

  /// The fastest algorithm for `geometry`.
  public static func preferred(for geometry: Conv2dGeometry) -> Conv2dAlgorithm {
    if ConvolutionLibrary.current.servesWithOneDNN(geometry) { return .oneDNN }
    return preferredOpenBLAS(for: geometry)
  }

  /// The fastest of our own (OpenBLAS and direct) kernels for `geometry`.
  public static func preferredOpenBLAS(for geometry: Conv2dGeometry) -> Conv2dAlgorithm {
    if geometry.isDepthwise { return .direct }
    if geometry.supportsWinograd && geometry.inChannels >= winogradMinimumInputChannels {
      return .winograd(imagesPerChunk: geometry.defaultWinogradImagesPerChunk())
    }
    // Grouped convolutions stay on im2col: per-group GEMMs over C/g·kw rows are too thin to
    // have been worth measuring yet.
    if geometry.supportsShiftedRows && geometry.groups == 1 {
      return .shiftedRows(imagesPerChunk: geometry.defaultShiftedRowsImagesPerChunk())
    }
    if geometry.isPointwise && geometry.outputPlane >= pointwiseDirectMinimumPlane {
      return .pointwiseDirect
    }
    return .im2colGEMM(imagesPerChunk: geometry.defaultImagesPerChunk())
  }

  /// Whether this algorithm can compute `geometry`.
  public func supports(_ geometry: Conv2dGeometry) -> Bool {
    switch self {
    case .im2colGEMM(let imagesPerChunk): return imagesPerChunk >= 1
    case .shiftedRows(let imagesPerChunk): return imagesPerChunk >= 1 && geometry.supportsShiftedRows
    case .winograd(let imagesPerChunk): return imagesPerChunk >= 1 && geometry.supportsWinograd
    case .pointwiseDirect: return geometry.isPointwise
    case .direct, .oneDNN: return true
    }
  }
}

/// Forward convolution with `algorithm` (default: the preferred one for the geometry).
///
/// - input: [batch, inChannels, height, width]
/// - weight: [outChannels, inChannels / groups, kernelHeight, kernelWidth]
/// - bias: [outChannels] or nil
/// - output: [batch, outChannels, outHeight, outWidth], overwritten
public func conv2dForward(
  input: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
  output: UnsafeMutablePointer<Float>, geometry: Conv2dGeometry,
  workspace: Conv2dWorkspace, algorithm: Conv2dAlgorithm? = nil
) {
  let algorithm = algorithm ?? .preferred(for: geometry)
  precondition(algorithm.supports(geometry), "\(algorithm) cannot compute \(geometry)")
  switch algorithm {
  case .im2colGEMM(let imagesPerChunk):
    conv2dGEMMForward(input: input, weight: weight, bias: bias, output: output,
                      geometry: geometry, workspace: workspace, imagesPerChunk: imagesPerChunk)
  case .shiftedRows(let imagesPerChunk):
    conv2dShiftedRowsForward(input: input, weight: weight, bias: bias, output: output,
                             geometry: geometry, workspace: workspace, imagesPerChunk: imagesPerChunk)
  case .winograd(let imagesPerChunk):
    conv2dWinogradForward(input: input, weight: weight, bias: bias, output: output,
                          geometry: geometry, workspace: workspace, imagesPerChunk: imagesPerChunk)
  case .pointwiseDirect:
    conv2dPointwiseForward(input: input, weight: weight, bias: bias, output: output,
                           geometry: geometry)
  case .direct:
    conv2dDirectForward(input: input, weight: weight, bias: bias, output: output,
                        geometry: geometry, workspace: workspace)
  case .oneDNN:
    if !oneDNNForward(input: input, weight: weight, bias: bias, output: output,
                      geometry: geometry, workspace: workspace) {
      conv2dForward(input: input, weight: weight, bias: bias, output: output,
                    geometry: geometry, workspace: workspace,
                    algorithm: .preferredOpenBLAS(for: geometry))
    }
  }
}

/// Backward convolution with `algorithm` (default: the preferred one for the geometry).
///
/// - input, weight: as in the forward pass
/// - gradOutput: [batch, outChannels, outHeight, outWidth]
/// - gradInput: [batch, inChannels, height, width], overwritten; nil skips it
/// - gradWeight: [outChannels, inChannels / groups, kernelHeight, kernelWidth], accumulated (+=)
/// - gradBias: [outChannels], accumulated (+=); nil when there is no bias
public func conv2dBackward(
  input: UnsafePointer<Float>, weight: UnsafePointer<Float>, gradOutput: UnsafePointer<Float>,
  gradInput: UnsafeMutablePointer<Float>?, gradWeight: UnsafeMutablePointer<Float>,
  gradBias: UnsafeMutablePointer<Float>?, geometry: Conv2dGeometry,
  workspace: Conv2dWorkspace, algorithm: Conv2dAlgorithm? = nil
) {
  let algorithm = algorithm ?? .preferred(for: geometry)
  precondition(algorithm.supports(geometry), "\(algorithm) cannot compute \(geometry)")
  switch algorithm {
  case .im2colGEMM(let imagesPerChunk):
    conv2dGEMMBackward(
      input: input, weight: weight, gradOutput: gradOutput, gradInput: gradInput,
      gradWeight: gradWeight, gradBias: gradBias, geometry: geometry, workspace: workspace,
      imagesPerChunk: imagesPerChunk)
  case .shiftedRows(let imagesPerChunk):
    conv2dShiftedRowsBackward(
      input: input, weight: weight, gradOutput: gradOutput, gradInput: gradInput,
      gradWeight: gradWeight, gradBias: gradBias, geometry: geometry, workspace: workspace,
      imagesPerChunk: imagesPerChunk)
  case .winograd(let imagesPerChunk):
    conv2dWinogradBackward(
      input: input, weight: weight, gradOutput: gradOutput, gradInput: gradInput,
      gradWeight: gradWeight, gradBias: gradBias, geometry: geometry, workspace: workspace,
      imagesPerChunk: imagesPerChunk)
  case .pointwiseDirect:
    conv2dPointwiseBackward(
      input: input, weight: weight, gradOutput: gradOutput, gradInput: gradInput,
      gradWeight: gradWeight, gradBias: gradBias, geometry: geometry, workspace: workspace)
  case .direct:
    conv2dDirectBackward(
      input: input, weight: weight, gradOutput: gradOutput, gradInput: gradInput,
      gradWeight: gradWeight, gradBias: gradBias, geometry: geometry, workspace: workspace)
  case .oneDNN:
    if !oneDNNBackward(input: input, weight: weight, gradOutput: gradOutput, gradInput: gradInput,
                       gradWeight: gradWeight, gradBias: gradBias, geometry: geometry,
                       workspace: workspace) {
      conv2dBackward(
        input: input, weight: weight, gradOutput: gradOutput, gradInput: gradInput,
        gradWeight: gradWeight, gradBias: gradBias, geometry: geometry, workspace: workspace,
        algorithm: .preferredOpenBLAS(for: geometry))
    }
  }
}
