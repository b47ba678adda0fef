import Kernels

/// The MFD decorrelation loss of one feature map (mfd-reference.md §1, the authors' EPS = 1e-12):
/// the mean squared correlation between the channels of a batch, each channel's B·H·W values
/// centred by the batch-mean map. A thin owner of the kernel's workspace for `Tensor` inputs.
///
/// Call `value` first; `backward` and `gradient` then refer to that input, which must not change
/// in between (debug builds check). The workspace and the gradient buffer are reused across
/// calls, so a training step allocates nothing.
public final class MFDLoss {
  private let workspace = MFDWorkspace()
  private var lastShape: [Int]?
  /// The input of the last `value` call: the backward rebuilds the centred observations from it.
  private var lastInput: Tensor?
  private var gradientBuffer: Tensor?

  public init() {}

  /// The error for an input MFD cannot take (anything but [n, c, h, w] with every dimension ≥ 1),
  /// attributed to `layer`; nil when the shape is fine.
  public static func shapeError(for shape: [Int], layer: String = "MFDLoss") -> ShapeError? {
    if shape.count == 4 && shape.allSatisfy({ $0 >= 1 }) { return nil }
    return ShapeError(layer: layer, expected: "[n, c, h, w] with every dimension ≥ 1", actual: shape)
  }

  /// L for `input`, remembering what `backward` needs.
  /// - input: [n, c, h, w]
  public func value(_ input: Tensor) -> Float {
    if let error = Self.shapeError(for: input.shape) { preconditionFailure(error.description) }
    lastShape = input.shape
    lastInput = input
    return mfdLossForward(input: input.pointer, batch: input.n, channels: input.c,
                          pixels: input.h * input.w, workspace: workspace)
  }

  /// Mean |R_ij| over i ≠ j of the input of the last `value` call (the Tables I/III statistic).
  public var lastMeanAbsoluteCorrelation: Float { workspace.lastMeanAbsoluteCorrelation }

  /// gradInput = gradOutput + scale · dL/dX for the input of the last `value` call.
  /// - gradOutput, gradInput: [n, c, h, w] as that input; they may be the same tensor, which
  ///   then accumulates `scale · dL/dX` in place.
  public func backward(scale: Float, gradOutput: Tensor, into gradInput: Tensor) {
    guard let shape = lastShape, let input = lastInput else {
      preconditionFailure("MFDLoss.backward needs a preceding value(_:)")
    }
    precondition(gradOutput.shape == shape && gradInput.shape == shape,
                 "MFDLoss.backward: gradients \(gradOutput.shape), \(gradInput.shape) for input \(shape)")
    mfdLossBackward(input: input.pointer, scale: scale, gradOutput: gradOutput.pointer, gradInput: gradInput.pointer,
                    workspace: workspace)
  }

  /// dL/dX for the input of the last `value` call, in a buffer reused across calls.
  /// - returns: [n, c, h, w]
  public func gradient() -> Tensor {
    guard let shape = lastShape else { preconditionFailure("MFDLoss.gradient needs a preceding value(_:)") }
    let result = Tensor.reusing(gradientBuffer, shape: shape)
    gradientBuffer = result
    result.fill(0)
    backward(scale: 1, gradOutput: result, into: result)
    return result
  }

  /// Mean |R_ij| over i ≠ j of `input` without the loss's gradient state (evaluation).
  /// A pending `backward` is no longer possible afterwards.
  /// - input: [n, c, h, w]
  public func meanAbsoluteCorrelation(_ input: Tensor) -> Float {
    if let error = Self.shapeError(for: input.shape) { preconditionFailure(error.description) }
    lastShape = nil
    lastInput = nil
    return Kernels.meanAbsoluteCorrelation(input: input.pointer, batch: input.n, channels: input.c,
                                           pixels: input.h * input.w, workspace: workspace)
  }
}
