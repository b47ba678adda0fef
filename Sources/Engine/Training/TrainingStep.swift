import Kernels

/// What one optimisation step measured.
public struct StepResult: Sendable, Equatable {
  /// The classification loss over the batch: mean softmax cross-entropy, or AM-Softmax's /
  /// ArcFace's margin cross-entropy for those heads.
  public var crossEntropy: Float
  /// Unweighted MFD loss of each tap, in network order (label, L).
  public var mfd: [(label: String, loss: Float)]
  /// Unweighted center loss L_C of the embedding; nil without a center-loss tap.
  public var center: Float? = nil
  /// The total loss: classification loss + λ_c·L_C + Σ λ·L.
  public var total: Float
  /// Top-1 correct predictions in the batch (train mode).
  public var correct: Int

  public static func == (a: StepResult, b: StepResult) -> Bool {
    a.crossEntropy == b.crossEntropy && a.total == b.total && a.correct == b.correct && a.center == b.center
      && a.mfd.map(\.label) == b.mfd.map(\.label) && a.mfd.map(\.loss) == b.mfd.map(\.loss)
  }
}

/// One SGD step of a classifier trained with a classification loss (softmax cross-entropy, or a
/// face loss's margin head) plus whatever MFD and center-loss taps the model contains: zero
/// gradients, forward (train mode), loss, backward, update.
///
/// The taps add their λ·dL/dX inside `model.backward`, so the only loss handled here is the
/// classification loss on the network's output; the taps' values are collected afterwards for
/// the report. A center-loss tap gets the batch's labels before the forward pass and moves its
/// centres after the backward pass (Wen et al.'s update).
public final class ClassifierTrainer {
  public let model: any Layer
  public let optimizer: SGD
  /// The loss on the network's output.
  public let loss: any ClassificationLoss
  /// The MFD taps found in the model, in forward order.
  public let taps: [MFDTap]
  /// The center-loss taps found in the model (at most one in the paper's networks).
  public let centerTaps: [CenterLossTap]

  public init(model: any Layer, optimizer: SGD, loss: any ClassificationLoss = SoftmaxCrossEntropy()) {
    self.model = model
    self.optimizer = optimizer
    self.loss = loss
    self.taps = model.allLayers().compactMap { $0 as? MFDTap }
    self.centerTaps = model.allLayers().compactMap { $0 as? CenterLossTap }
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
    do { for tap in centerTaps { try tap.prepare(labels: labels) } } catch { throw .label(error) }
    optimizer.zeroGradients()
    let logits = model.forward(input, mode: .train)
    lastLogits = logits
    let ce: Float
    do { ce = try loss.forward(logits: logits, labels: labels) } catch { throw .label(error) }
    _ = model.backward(loss.backward(scale: 1))
    model.releaseGradient()
    for tap in centerTaps { tap.updateCenters() }
    optimizer.step()
    let mfd = taps.map { ($0.label, $0.lastLoss ?? 0) }
    let center = centerTaps.isEmpty ? nil : centerTaps.reduce(Float(0)) { $0 + ($1.lastLoss ?? 0) }
    let centerTerm = centerTaps.reduce(Float(0)) { $0 + ($1.lastWeightedLoss ?? 0) }
    let total = ce + centerTerm + zip(taps, mfd).reduce(Float(0)) { $0 + $1.0.lambda * $1.1.1 }
    return StepResult(crossEntropy: ce, mfd: mfd, center: center, total: total, correct: loss.correct)
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
