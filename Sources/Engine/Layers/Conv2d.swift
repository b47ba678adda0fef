import Kernels

/// 2-D convolution over NCHW input, as PyTorch's `nn.Conv2d` (dilation 1).
///
/// - input: [n, inChannels, h, w]
/// - weight: [outChannels, inChannels / groups, kernelHeight, kernelWidth]
/// - bias: [outChannels] (optional)
/// - output: [n, outChannels, (h + 2·ph − kh) / sh + 1, (w + 2·pw − kw) / sw + 1]
///
/// The kernel is picked per geometry (`Conv2dAlgorithm.preferred`): oneDNN for large dense
/// k×k convolutions (`ConvolutionLibrary`), else the direct kernel when groups == inChannels > 1,
/// one GEMM per image for wide 1×1 stride-1 maps, row-shifted GEMMs for stride-1 3×3, im2col +
/// GEMM on chunks of images otherwise. Parameters stay zero until `resetParameters` (or the model's
/// `initialise(seed:)`) draws them.
public final class Conv2d: Layer {
  public let inChannels: Int
  public let outChannels: Int
  public let kernelSize: (height: Int, width: Int)
  public let stride: (height: Int, width: Int)
  public let padding: (height: Int, width: Int)
  public let groups: Int

  public let weight: Parameter
  public let bias: Parameter?

  /// Scratch for im2col and packed GEMM operands; grows to the largest shape seen, then stays.
  /// The model's pool hands every convolution the same one (layers run one at a time).
  private var workspace = Conv2dWorkspace()
  private var cachedInput: Tensor?
  private var cachedGeometry: Conv2dGeometry?
  private var output = ActivationBuffer()
  private var gradient = GradientBuffer()

  /// A convolution with a (height, width) kernel, stride and padding.
  public init(
    inChannels: Int, outChannels: Int, kernelSize: (height: Int, width: Int),
    stride: (height: Int, width: Int) = (1, 1), padding: (height: Int, width: Int) = (0, 0),
    groups: Int = 1, bias: Bool = true
  ) {
    precondition(inChannels > 0 && outChannels > 0 && groups > 0,
                 "Conv2d needs positive channels and groups, got \(inChannels)→\(outChannels), groups \(groups)")
    precondition(inChannels % groups == 0 && outChannels % groups == 0,
                 "Conv2d(\(inChannels)→\(outChannels)): channels must be divisible by groups \(groups)")
    precondition(kernelSize.height > 0 && kernelSize.width > 0 && stride.height > 0
                   && stride.width > 0 && padding.height >= 0 && padding.width >= 0,
                 "Conv2d needs a positive kernel and stride and a non-negative padding")
    self.inChannels = inChannels
    self.outChannels = outChannels
    self.kernelSize = kernelSize
    self.stride = stride
    self.padding = padding
    self.groups = groups
    self.weight = Parameter(
      zeros: [outChannels, inChannels / groups, kernelSize.height, kernelSize.width])
    self.bias = bias ? Parameter(zeros: [outChannels]) : nil
  }

  /// A convolution with a square kernel, stride and padding.
  public convenience init(
    inChannels: Int, outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
    groups: Int = 1, bias: Bool = true
  ) {
    self.init(inChannels: inChannels, outChannels: outChannels,
              kernelSize: (kernelSize, kernelSize), stride: (stride, stride),
              padding: (padding, padding), groups: groups, bias: bias)
  }

  // MARK: Shapes

  /// The geometry for `inputShape`, or an error naming this layer and the shapes.
  public func geometry(for inputShape: [Int]) throws(ShapeError) -> Conv2dGeometry {
    let expected = "[N, \(inChannels), H, W] with H + 2·\(padding.height) ≥ \(kernelSize.height)"
      + " and W + 2·\(padding.width) ≥ \(kernelSize.width)"
    guard inputShape.count == 4, inputShape[1] == inChannels else {
      throw ShapeError(layer: name, expected: expected, actual: inputShape)
    }
    do {
      return try Conv2dGeometry(
        batch: inputShape[0], inChannels: inChannels, height: inputShape[2],
        width: inputShape[3], outChannels: outChannels, kernel: kernelSize, stride: stride,
        padding: padding, groups: groups)
    } catch {
      throw ShapeError(layer: name, expected: expected, actual: inputShape)
    }
  }

  public func outputShape(for inputShape: [Int]) throws(ShapeError) -> [Int] {
    try geometry(for: inputShape).outputShape
  }

  /// The kernel this layer runs for `inputShape` (depthwise, pointwise direct or im2col + GEMM).
  public func algorithm(for inputShape: [Int]) throws(ShapeError) -> Conv2dAlgorithm {
    Conv2dAlgorithm.preferred(for: try geometry(for: inputShape))
  }

  public func macs(for inputShape: [Int]) -> Int {
    (try? geometry(for: inputShape))?.macs ?? 0
  }

  /// "Conv2d(64→128, 3×3, stride 2, padding 1)": what shape errors call this layer.
  public var name: String {
    var text = "Conv2d(\(inChannels)→\(outChannels), \(kernelSize.height)×\(kernelSize.width)"
    if stride != (1, 1) {
      text += stride.height == stride.width
        ? ", stride \(stride.height)" : ", stride \(stride.height)×\(stride.width)"
    }
    if padding != (0, 0) {
      text += padding.height == padding.width
        ? ", padding \(padding.height)" : ", padding \(padding.height)×\(padding.width)"
    }
    if groups > 1 { text += ", groups \(groups)" }
    return text + ")"
  }

  // MARK: Forward and backward

  public func forward(_ input: Tensor, mode: Mode) -> Tensor {
    let geometry: Conv2dGeometry
    do {
      geometry = try self.geometry(for: input.shape)
    } catch {
      preconditionFailure(error.description)
    }
    let result = output.take(geometry.outputShape)
    conv2dForward(
      input: input.pointer, weight: weight.value.pointer, bias: bias?.value.pointer,
      output: result.pointer, geometry: geometry, workspace: workspace)
    cachedInput = input
    cachedGeometry = geometry
    return result
  }

  /// Hands the last input gradient's buffer back to the model's pool.
  public func releaseGradient() { gradient.release() }
  public func attach(_ pool: GradientPool) {
    gradient.attach(pool)
    output.attach(pool)
    workspace = pool.convolutionScratch
  }
  /// Backward needs the input, not the output.
  public var readsOutputInBackward: Bool { false }
  public func releaseConsumedOutput() { output.releaseConsumed() }

  public func backward(_ gradOutput: Tensor) -> Tensor {
    guard let input = cachedInput, let geometry = cachedGeometry else {
      preconditionFailure("\(name): backward called before forward")
    }
    output.checkAvailable(name)
    precondition(gradOutput.shape == geometry.outputShape,
                 "shape mismatch in \(name): expected gradient \(geometry.outputShape), got \(gradOutput.shape)")
    let result = gradient.take(input.shape)
    conv2dBackward(
      input: input.pointer, weight: weight.value.pointer, gradOutput: gradOutput.pointer,
      gradInput: result.pointer, gradWeight: weight.grad.pointer, gradBias: bias?.grad.pointer,
      geometry: geometry, workspace: workspace)
    output.releaseAfterBackward()
    return result
  }

  // MARK: State

  public func localState() -> [(name: String, entry: StateEntry)] {
    var state: [(name: String, entry: StateEntry)] = [("weight", .parameter(weight))]
    if let bias { state.append(("bias", .parameter(bias))) }
    return state
  }

  /// PyTorch's default: kaiming_uniform(a = √5) for the weight, which is U(−b, b) with
  /// b = 1/√fan_in, fan_in = inChannels/groups · kh · kw; the bias from U(−b, b) with the same
  /// b. Weight first, then bias, each in storage order.
  public func resetParameters(using generator: inout SeededGenerator) {
    let fanIn = (inChannels / groups) * kernelSize.height * kernelSize.width
    let bound = 1 / Float(fanIn).squareRoot()
    for i in 0..<weight.value.count { weight.value[i] = generator.nextFloat(in: -bound, bound) }
    if let bias {
      for i in 0..<bias.value.count { bias.value[i] = generator.nextFloat(in: -bound, bound) }
    }
  }
}
