import Kernels

/// max(x, 0), as `torch.nn.ReLU`. Backward passes the gradient where the output is positive.
///
/// `inPlace` (torchvision's `ReLU(inplace=True)`) overwrites the input instead of keeping a
/// second tensor of the same size: right after a batch-norm or a residual sum, whose outputs
/// nothing else reads, it saves one activation per block (ResNet50 at batch 128: ~1 GB).
public final class ReLU: Layer {
  public let inPlace: Bool
  /// The last output (the input itself when in place): backward reads its sign.
  private var output: Tensor?
  private var ownOutput: Tensor?
  private var gradient = GradientBuffer()

  public init(inPlace: Bool = false) { self.inPlace = inPlace }

  /// Any shape; the output has the input's shape.
  public func outputShape(for inputShape: [Int]) throws(ShapeError) -> [Int] { inputShape }

  /// - input: any shape → output: same shape
  public func forward(_ input: Tensor, mode: Mode) -> Tensor {
    let out = inPlace ? input : Tensor.reusing(ownOutput, shape: input.shape)
    if !inPlace { ownOutput = out }
    output = out
    reluForward(input: input.pointer, output: out.pointer, count: input.count)
    return out
  }

  /// Hands the last input gradient's buffer back to the model's pool.
  public func releaseGradient() { gradient.release() }
  public func attach(_ pool: GradientPool) { gradient.attach(pool) }

  /// - gradOutput: the output's shape → gradient w.r.t. the input, same shape
  public func backward(_ gradOutput: Tensor) -> Tensor {
    guard let output else { preconditionFailure("ReLU.backward called before forward") }
    precondition(gradOutput.shape == output.shape,
                 "ReLU.backward: gradient \(gradOutput.shape) for output \(output.shape)")
    let dx = gradient.take(output.shape)
    reluBackward(output: output.pointer, gradOutput: gradOutput.pointer, gradInput: dx.pointer,
                 count: output.count)
    return dx
  }
}

/// min(max(x, 0), 6), as `torch.nn.ReLU6` (MobileNetV2). Backward passes the gradient strictly
/// inside 0 < x < 6, as PyTorch's `hardtanh_backward`.
public final class ReLU6: Layer {
  public let inPlace: Bool
  /// The last output (the input itself when in place). Backward reads it: 0 < out < 6 exactly
  /// where 0 < x < 6, as PyTorch's in-place hardtanh does.
  private var output: Tensor?
  private var ownOutput: Tensor?
  private var gradient = GradientBuffer()

  /// - inPlace: overwrite the input (see `ReLU.inPlace`).
  public init(inPlace: Bool = false) { self.inPlace = inPlace }

  /// Any shape; the output has the input's shape.
  public func outputShape(for inputShape: [Int]) throws(ShapeError) -> [Int] { inputShape }

  /// - input: any shape → output: same shape
  public func forward(_ input: Tensor, mode: Mode) -> Tensor {
    let out = inPlace ? input : Tensor.reusing(ownOutput, shape: input.shape)
    if !inPlace { ownOutput = out }
    output = out
    relu6Forward(input: input.pointer, output: out.pointer, count: input.count)
    return out
  }

  /// Hands the last input gradient's buffer back to the model's pool.
  public func releaseGradient() { gradient.release() }
  public func attach(_ pool: GradientPool) { gradient.attach(pool) }

  /// - gradOutput: the output's shape → gradient w.r.t. the input, same shape
  public func backward(_ gradOutput: Tensor) -> Tensor {
    guard let output else { preconditionFailure("ReLU6.backward called before forward") }
    precondition(gradOutput.shape == output.shape,
                 "ReLU6.backward: gradient \(gradOutput.shape) for output \(output.shape)")
    let dx = gradient.take(output.shape)
    // The clamped output has the input's mask: 0 < out < 6 ⇔ 0 < x < 6.
    relu6Backward(input: output.pointer, gradOutput: gradOutput.pointer, gradInput: dx.pointer,
                  count: output.count)
    return dx
  }
}
