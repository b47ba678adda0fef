import Kernels

/// Average pooling over square windows, as `torch.nn.AvgPool2d(kernel_size, stride, padding)`
/// with PyTorch's defaults count_include_pad = true and ceil_mode = false (DenseNet's transitions).
public final class AvgPool2d: Layer {
  public let kernelSize, stride, padding: Int

  private var geometry: Pool2dGeometry?
  private var inputShape: [Int] = []
  private var output: Tensor?
  private var gradient = GradientBuffer()

  /// - stride: defaults to `kernelSize`, as in PyTorch.
  public init(kernelSize: Int, stride: Int? = nil, padding: Int = 0) {
    precondition(kernelSize >= 1 && (stride ?? 1) >= 1 && padding >= 0 && 2 * padding <= kernelSize,
                 "AvgPool2d: kernel \(kernelSize), stride \(stride ?? kernelSize), padding \(padding): padding must be at most half the kernel")
    self.kernelSize = kernelSize
    self.stride = stride ?? kernelSize
    self.padding = padding
  }

  public func outputShape(for inputShape: [Int]) throws(ShapeError) -> [Int] {
    let g = try pool2dGeometry("AvgPool2d", inputShape, kernelSize: kernelSize, stride: stride, padding: padding)
    return [inputShape[0], inputShape[1], g.outputHeight, g.outputWidth]
  }

  /// - input: [n, c, h, w] → output: [n, c, (h + 2·padding − kernel) / stride + 1, same for w]
  public func forward(_ input: Tensor, mode: Mode) -> Tensor {
    let g: Pool2dGeometry
    do {
      g = try pool2dGeometry("AvgPool2d", input.shape, kernelSize: kernelSize, stride: stride, padding: padding)
    } catch { preconditionFailure(error.description) }
    let out = Tensor.reusing(output, shape: [input.n, input.c, g.outputHeight, g.outputWidth])
    output = out
    geometry = g
    inputShape = input.shape
    avgPool2dForward(input: input.pointer, output: out.pointer, planes: input.n * input.c, geometry: g)
    return out
  }

  /// Hands the last input gradient's buffer back to the model's pool.
  public func releaseGradient() { gradient.release() }
  public func attach(_ pool: GradientPool) { gradient.attach(pool) }

  /// - gradOutput: the output's shape → gradient w.r.t. the input: [n, c, h, w]
  public func backward(_ gradOutput: Tensor) -> Tensor {
    guard let geometry, let output else { preconditionFailure("AvgPool2d.backward called before forward") }
    precondition(gradOutput.shape == output.shape,
                 "AvgPool2d.backward: gradient \(gradOutput.shape) for output \(output.shape)")
    let dx = gradient.take(inputShape)
    avgPool2dBackward(gradOutput: gradOutput.pointer, gradInput: dx.pointer,
                      planes: inputShape[0] * inputShape[1], geometry: geometry)
    return dx
  }
}
