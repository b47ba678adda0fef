import Kernels

/// max(x, 0), as `torch.nn.ReLU`; its subclass `ReLU6` clamps at 6 too. Backward passes the
/// gradient where the output lies strictly inside the clamp, which is where the input does
/// (PyTorch's `threshold_backward` / `hardtanh_backward`).
///
/// `inPlace` (torchvision's `inplace=True`) overwrites the input instead of keeping a second
/// tensor of the same size: right after a batch-norm or a residual sum, whose outputs nothing
/// else reads, it saves one activation per block (ResNet50 at batch 128: ~1 GB).
public class ReLU: Layer {
  public let inPlace: Bool
  /// Applied by the batch norm before it (`BatchNorm2d.fuse`): this layer passes tensors through.
  public internal(set) var isFused = false
  /// Applied by the residual sum before it (`Residual`, which adds and activates in one pass):
  /// `forward` receives values already activated and only records them; the backward is ours.
  var isAppliedBySum = false
  /// 6 for ReLU6, nil for ReLU.
  let ceiling: Float?
  /// The last output (the input itself when in place): backward reads its mask from it.
  private var output: Tensor?
  private var ownOutput: Tensor?
  private var gradient = GradientBuffer()

  public convenience init(inPlace: Bool = false) { self.init(ceiling: nil, inPlace: inPlace) }

  init(ceiling: Float?, inPlace: Bool) {
    self.ceiling = ceiling
    self.inPlace = inPlace
  }

  /// Any shape; the output has the input's shape.
  public func outputShape(for inputShape: [Int]) throws(ShapeError) -> [Int] { inputShape }

  /// - input: any shape → output: same shape (the input tensor itself when in place)
  public func forward(_ input: Tensor, mode: Mode) -> Tensor {
    if isFused { return input }
    if isAppliedBySum {
      output = input
      return input
    }
    let out = inPlace ? input : Tensor.reusing(ownOutput, shape: input.shape)
    if !inPlace { ownOutput = out }
    output = out
    if ceiling == nil {
      reluForward(input: input.pointer, output: out.pointer, count: input.count)
    } else {
      relu6Forward(input: input.pointer, output: out.pointer, count: input.count)
    }
    return out
  }

  /// This activation as the kernels apply it.
  var clampedActivation: ClampedActivation { ceiling == nil ? .relu : .relu6 }

  /// Whether the layer before it (a batch norm, a residual sum) may apply this activation in its
  /// own pass: only an in-place one, whose output is its input's storage, which that layer
  /// writes; and only once.
  var canBeTakenOver: Bool { inPlace && !isFused && !isAppliedBySum }

  /// Hands the last input gradient's buffer back to the model's pool.
  public func releaseGradient() { gradient.release() }
  public func attach(_ pool: GradientPool) { gradient.attach(pool) }

  /// - gradOutput: the output's shape → gradient w.r.t. the input, same shape
  public func backward(_ gradOutput: Tensor) -> Tensor { backward(gradOutput, mayOverwrite: false) }

  /// With `mayOverwrite` the gradient is masked in `gradOutput`'s own storage and returned.
  public func backward(_ gradOutput: Tensor, mayOverwrite: Bool) -> Tensor {
    if isFused { return gradOutput }
    guard let output else { preconditionFailure("\(type(of: self)).backward called before forward") }
    precondition(gradOutput.shape == output.shape,
                 "\(type(of: self)).backward: gradient \(gradOutput.shape) for output \(output.shape)")
    if mayOverwrite { gradient.release() }
    let dx = mayOverwrite ? gradOutput : gradient.take(output.shape)
    if ceiling == nil {
      reluBackward(output: output.pointer, gradOutput: gradOutput.pointer, gradInput: dx.pointer,
                   count: output.count)
    } else {
      // The clamped output has the input's mask: 0 < out < 6 ⇔ 0 < x < 6.
      relu6Backward(input: output.pointer, gradOutput: gradOutput.pointer, gradInput: dx.pointer,
                    count: output.count)
    }
    return dx
  }
}

/// min(max(x, 0), 6), as `torch.nn.ReLU6` (MobileNetV2).
public final class ReLU6: ReLU {
  /// - inPlace: overwrite the input (see `ReLU.inPlace`).
  public init(inPlace: Bool = false) { super.init(ceiling: 6, inPlace: inPlace) }
}
