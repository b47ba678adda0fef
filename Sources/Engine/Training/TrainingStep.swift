import Kernels

/// What one optimisation step measured.
public struct StepResult: Sendable, Equatable {
  /// Mean softmax cross-entropy over the batch.
  public var crossEntropy: Float
  /// Unweighted MFD loss of each tap, in network order (label, L).
  public var mfd: [(label: String, loss: Float)]
  /// The total loss: cross-entropy + Σ λ·L.
  public var total: Float
  /// Top-1 correct predictions in the batch (train mode).
  public var correct: Int

  public static func == (a: StepResult, b: StepResult) -> Bool {
    a.crossEntropy == b.crossEntropy && a.total == b.total && a.correct == b.correct
      && a.mfd.map(\.label) == b.mfd.map(\.label) && a.mfd.map(\.loss) == b.mfd.map(\.loss)
  }
}

/// One SGD step of a classifier trained with softmax cross-entropy plus whatever MFD taps the
/// model contains: zero gradients, forward (train mode), loss, backward, update.
///
/// The taps add λ·dL_MFD/dX inside `model.backward`, so the only loss handled here is the
/// cross-entropy; their values are collected afterwards for the report.
public final class ClassifierTrainer {
  public let model: any Layer
  public let optimizer: SGD
  private let crossEntropy = SoftmaxCrossEntropy()
  /// The MFD taps found in the model, in forward order.
  public let taps: [MFDTap]

  public init(model: any Layer, optimizer: SGD) {
    self.model = model
    self.optimizer = optimizer
    self.taps = model.allLayers().compactMap { $0 as? MFDTap }
  }

  /// Runs one step on `input` [n, c, h, w] with `labels` [n].
  /// - Throws: `LabelOutOfRangeError` before any parameter changes.
  public func step(input: Tensor, labels: [Int32]) throws(LabelOutOfRangeError) -> StepResult {
    optimizer.zeroGradients()
    let logits = model.forward(input, mode: .train)
    let ce = try crossEntropy.forward(logits: logits, labels: labels)
    _ = model.backward(crossEntropy.backward())
    optimizer.step()
    let mfd = taps.map { ($0.label, $0.lastLoss ?? 0) }
    let total = ce + zip(taps, mfd).reduce(Float(0)) { $0 + $1.0.lambda * $1.1.1 }
    return StepResult(crossEntropy: ce, mfd: mfd, total: total, correct: crossEntropy.correct)
  }
}
