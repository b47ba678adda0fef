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

  /// The logits of the last step's forward pass [n, classes] (valid until the next step).
  public private(set) var lastLogits: Tensor?
  /// The last input shape checked against the model (the check runs once per new shape).
  private var validatedShape: [Int]?

  /// Runs one step on `input` [n, c, h, w] with `labels` [n].
  /// - Throws: `TrainingStepError` before any parameter changes: an input the model cannot take
  ///   (naming the layer and both shapes), a label count that differs from the batch, or a label
  ///   outside the classifier's range.
  public func step(input: Tensor, labels: [Int32]) throws(TrainingStepError) -> StepResult {
    if validatedShape != input.shape {
      let output: [Int]
      do { output = try model.outputShape(for: input.shape) } catch { throw .shape(error) }
      guard output.count == 2, output[0] == input.shape[0] else {
        throw .shape(ShapeError(layer: "classifier output", expected: "[\(input.shape[0]), classes]",
                                actual: output))
      }
      validatedShape = input.shape
    }
    guard labels.count == input.shape[0] else {
      throw .labelCount(labels: labels.count, batch: input.shape[0])
    }
    optimizer.zeroGradients()
    let logits = model.forward(input, mode: .train)
    lastLogits = logits
    let ce: Float
    do { ce = try crossEntropy.forward(logits: logits, labels: labels) } catch { throw .label(error) }
    _ = model.backward(crossEntropy.backward())
    model.releaseGradient()
    optimizer.step()
    let mfd = taps.map { ($0.label, $0.lastLoss ?? 0) }
    let total = ce + zip(taps, mfd).reduce(Float(0)) { $0 + $1.0.lambda * $1.1.1 }
    return StepResult(crossEntropy: ce, mfd: mfd, total: total, correct: crossEntropy.correct)
  }
}

/// Why a training step could not run. Nothing was updated.
public enum TrainingStepError: Error, CustomStringConvertible, Equatable {
  case shape(ShapeError)
  case labelCount(labels: Int, batch: Int)
  case label(LabelOutOfRangeError)

  public var description: String {
    switch self {
    case .shape(let error): error.description
    case .labelCount(let labels, let batch): "\(labels) labels for a batch of \(batch) images"
    case .label(let error): error.description
    }
  }
}
