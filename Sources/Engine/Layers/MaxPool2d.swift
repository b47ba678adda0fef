import Kernels

/// Max pooling over square windows, as `torch.nn.MaxPool2d(kernel_size, stride, padding)`
/// (dilation 1, ceil_mode false). Padding is −∞ and the first maximum in scan order wins ties;
/// backward routes each gradient to the argmax saved by the forward pass.
public final class MaxPool2d: Layer {
  public let kernelSize, stride, padding: Int

  private var geometry: Pool2dGeometry?
  private var inputShape: [Int] = []
  private var argmax: [Int32] = []
  private var output: Tensor?
  private var gradient = GradientBuffer()

  /// - stride: defaults to `kernelSize`, as in PyTorch.
  public init(kernelSize: Int, stride: Int? = nil, padding: Int = 0) {
    precondition(kernelSize >= 1 && (stride ?? 1) >= 1 && padding >= 0 && 2 * padding <= kernelSize,
                 "MaxPool2d: kernel \(kernelSize), stride \(stride ?? kernelSize), padding \(padding): padding must be at most half the kernel")
    self.kernelSize = kernelSize
    self.stride = stride ?? kernelSize
    self.padding = padding
  }

  public func outputShape(for inputShape: [Int]) throws(ShapeError) -> [Int] {
    let g = try pool2dGeometry("MaxPool2d", inputShape, kernelSize: kernelSize, stride: stride, padding: padding)
    return [inputShape[0], inputShape[1], g.outputHeight, g.outputWidth]
  }

  /// - input: [n, c, h, w] → output: [n, c, (h + 2·padding − kernel) / stride + 1, same for w]
  public func forward(_ input: Tensor, mode: Mode) -> Tensor {
    let g: Pool2dGeometry
    do {
      g = try pool2dGeometry("MaxPool2d", input.shape, kernelSize: kernelSize, stride: stride, padding: padding)
    } catch { preconditionFailure(error.description) }
    let out = Tensor.reusing(output, shape: [input.n, input.c, g.outputHeight, g.outputWidth])
    output = out
    geometry = g
    inputShape = input.shape
    if argmax.count != out.count { argmax = [Int32](repeating: 0, count: out.count) }
    argmax.withUnsafeMutableBufferPointer { indices in
      maxPool2dForward(input: input.pointer, output: out.pointer, indices: indices.baseAddress!,
                       planes: input.n * input.c, geometry: g)
    }
    return out
  }

  /// Hands the last input gradient's buffer back to the model's pool.
  public func releaseGradient() { gradient.release() }
  public func attach(_ pool: GradientPool) { gradient.attach(pool) }

  /// - gradOutput: the output's shape → gradient w.r.t. the input: [n, c, h, w]
  public func backward(_ gradOutput: Tensor) -> Tensor {
    guard let geometry, let output else { preconditionFailure("MaxPool2d.backward called before forward") }
    precondition(gradOutput.shape == output.shape,
                 "MaxPool2d.backward: gradient \(gradOutput.shape) for output \(output.shape)")
    let dx = gradient.take(inputShape)
    argmax.withUnsafeBufferPointer { indices in
      maxPool2dBackward(gradOutput: gradOutput.pointer, indices: indices.baseAddress!,
                        gradInput: dx.pointer, planes: inputShape[0] * inputShape[1], geometry: geometry)
    }
    return dx
  }
}

/// The window sweep of a square pooling layer over an [n, c, h, w] input, or a `ShapeError`
/// naming `layer` when the input is not rank 4 or smaller than one window (shared by the
/// pooling layers).
func pool2dGeometry(
  _ layer: String, _ inputShape: [Int], kernelSize: Int, stride: Int, padding: Int
) throws(ShapeError) -> Pool2dGeometry {
  let kernel = (kernelSize, kernelSize), strides = (stride, stride), pads = (padding, padding)
  guard inputShape.count == 4,
        Pool2dGeometry.isValid(inputHeight: inputShape[2], inputWidth: inputShape[3],
                               kernel: kernel, stride: strides, padding: pads)
  else {
    let minimum = max(1, kernelSize - 2 * padding)
    throw ShapeError(layer: layer, expected: "[n, c, h, w] with h, w ≥ \(minimum)", actual: inputShape)
  }
  return Pool2dGeometry(inputHeight: inputShape[2], inputWidth: inputShape[3],
                        kernel: kernel, stride: strides, padding: pads)
}
