import Kernels

/// max(x, 0), as `torch.nn.ReLU`. Backward passes the gradient where the output is positive.
public final class ReLU: Layer {
  private var output: Tensor?
  private var gradInput: Tensor?

  public init() {}

  /// Any shape; the output has the input's shape.
  public func outputShape(for inputShape: [Int]) throws(ShapeError) -> [Int] { inputShape }

  /// - input: any shape → output: same shape
  public func forward(_ input: Tensor, mode: Mode) -> Tensor {
    let out = Tensor.reusing(output, shape: input.shape)
    output = out
    reluForward(input: input.pointer, output: out.pointer, count: input.count)
    return out
  }

  /// - gradOutput: the output's shape → gradient w.r.t. the input, same shape
  public func backward(_ gradOutput: Tensor) -> Tensor {
    guard let output else { preconditionFailure("ReLU.backward called before forward") }
    precondition(gradOutput.shape == output.shape,
                 "ReLU.backward: gradient \(gradOutput.shape) for output \(output.shape)")
    let dx = Tensor.reusing(gradInput, shape: output.shape)
    gradInput = dx
    reluBackward(output: output.pointer, gradOutput: gradOutput.pointer, gradInput: dx.pointer,
                 count: output.count)
    return dx
  }
}

/// min(max(x, 0), 6), as `torch.nn.ReLU6` (MobileNetV2). Backward passes the gradient strictly
/// inside 0 < x < 6, as PyTorch's `hardtanh_backward`.
public final class ReLU6: Layer {
  private var input: Tensor?
  private var output: Tensor?
  private var gradInput: Tensor?

  public init() {}

  /// Any shape; the output has the input's shape.
  public func outputShape(for inputShape: [Int]) throws(ShapeError) -> [Int] { inputShape }

  /// - input: any shape → output: same shape
  public func forward(_ input: Tensor, mode: Mode) -> Tensor {
    let out = Tensor.reusing(output, shape: input.shape)
    output = out
    self.input = input
    relu6Forward(input: input.pointer, output: out.pointer, count: input.count)
    return out
  }

  /// - gradOutput: the output's shape → gradient w.r.t. the input, same shape
  public func backward(_ gradOutput: Tensor) -> Tensor {
    guard let input else { preconditionFailure("ReLU6.backward called before forward") }
    precondition(gradOutput.shape == input.shape,
                 "ReLU6.backward: gradient \(gradOutput.shape) for output \(input.shape)")
    let dx = Tensor.reusing(gradInput, shape: input.shape)
    gradInput = dx
    relu6Backward(input: input.pointer, gradOutput: gradOutput.pointer, gradInput: dx.pointer,
                  count: input.count)
    return dx
  }
}
