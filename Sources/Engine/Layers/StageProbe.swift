import Kernels

/// An identity that marks a stage output (S0…S4): it records the shape that passes through it
/// and, in eval mode when asked, the mean |R_ij| between its channels (the paper's Tables I, III).
///
/// Unlike `MFDTap` it adds nothing to the loss and costs nothing in training.
public final class StageProbe: Layer {
  public let label: String
  /// When true, eval-mode forwards record `lastMeanAbsoluteCorrelation`.
  public var recordsCorrelationInEval = false
  public private(set) var lastMeanAbsoluteCorrelation: Float?
  /// When true, eval-mode forwards keep a copy of the stage output in `lastOutput` (the feature-map
  /// figures). A copy, because the tensor passing through is a layer's reused output buffer.
  public var recordsOutputInEval = false
  public private(set) var lastOutput: Tensor?
  /// The shape seen by the last `outputShape(for:)` or `forward`.
  public private(set) var lastShape: [Int]?
  private let statistic = MFDLoss()

  public init(label: String) { self.label = label }

  public func outputShape(for inputShape: [Int]) throws(ShapeError) -> [Int] {
    lastShape = inputShape
    return inputShape
  }

  /// - input: any shape; returned unchanged (the same tensor).
  public func forward(_ input: Tensor, mode: Mode) -> Tensor {
    lastShape = input.shape
    if mode == .eval, recordsCorrelationInEval {
      lastMeanAbsoluteCorrelation = statistic.meanAbsoluteCorrelation(input)
    }
    if mode == .eval, recordsOutputInEval { lastOutput = input.copy() }
    return input
  }

  public func backward(_ gradOutput: Tensor) -> Tensor { gradOutput }
}
