import Kernels

/// Attaches the MFD loss to a feature map: an identity in the network's forward pass whose
/// backward adds λ · dL_MFD/dX to the gradient flowing through it (design.md, "stage taps").
///
/// In train mode it computes L for its input and records it (`lastLoss`; `λ·L`, which is what
/// enters the total loss, is `lastWeightedLoss`). In eval mode it costs nothing unless
/// `recordsCorrelationInEval` asks for the per-stage mean |R| of the paper's Tables I and III.
/// No parameters.
public final class MFDTap: Layer {
  /// Weight of this tap's loss in the total loss (the paper's λ; 1 in the authors' code).
  public let lambda: Float
  /// Short name for reports, such as "S0".
  public let label: String
  /// When true, eval-mode forwards record `lastMeanAbsoluteCorrelation`.
  public var recordsCorrelationInEval = false

  /// Unweighted L of the last train-mode forward.
  public private(set) var lastLoss: Float?
  /// Mean |R_ij| over i ≠ j of the last train forward, or of the last eval forward when recording.
  public private(set) var lastMeanAbsoluteCorrelation: Float?

  private let loss = MFDLoss()
  private var gradient = GradientBuffer()
  /// Shape of the train-mode forward that `backward` refers to.
  private var pendingShape: [Int]?

  /// A tap adding `lambda` · L_MFD of its input to the loss, reported under `label`.
  public init(lambda: Float, label: String) {
    self.lambda = lambda
    self.label = label
  }

  /// λ · L of the last train-mode forward: this tap's term of the total loss.
  public var lastWeightedLoss: Float? { lastLoss.map { lambda * $0 } }

  /// The input shape itself; anything but [n, c, h, w] with every dimension ≥ 1 is an error.
  public func outputShape(for inputShape: [Int]) throws(ShapeError) -> [Int] {
    if let error = MFDLoss.shapeError(for: inputShape, layer: "MFDTap") { throw error }
    return inputShape
  }

  /// Returns `input` itself (the same tensor, unchanged).
  /// - input: [n, c, h, w]
  public func forward(_ input: Tensor, mode: Mode) -> Tensor {
    if let error = MFDLoss.shapeError(for: input.shape, layer: "MFDTap") {
      preconditionFailure(error.description)
    }
    switch mode {
    case .train:
      lastLoss = loss.value(input)
      lastMeanAbsoluteCorrelation = loss.lastMeanAbsoluteCorrelation
      pendingShape = input.shape
    case .eval:
      pendingShape = nil
      if recordsCorrelationInEval { lastMeanAbsoluteCorrelation = loss.meanAbsoluteCorrelation(input) }
    }
    return input
  }

  /// Hands the last input gradient's buffer back to the model's pool.
  public func releaseGradient() { gradient.release() }
  public func attach(_ pool: GradientPool) { gradient.attach(pool) }

  /// gradOutput + λ · dL/dX in a buffer reused across steps; gradOutput is not modified.
  /// - gradOutput: [n, c, h, w] as the last train-mode input.
  public func backward(_ gradOutput: Tensor) -> Tensor {
    precondition(pendingShape == gradOutput.shape,
                 "MFDTap \(label): backward of \(gradOutput.shape) needs a train-mode forward of that shape")
    let result = gradient.take(gradOutput.shape)
    loss.backward(scale: lambda, gradOutput: gradOutput, into: result)
    return result
  }

  // macs(for:) stays 0: the paper's MAC counts are conv and FC only. The tap's own cost is
  // `mfdLossMACs(batch:channels:pixels:)` per training step.
}
