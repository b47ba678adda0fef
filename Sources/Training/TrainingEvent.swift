/// What a run reports while it works, in order: `started` once, `batch` after every training
/// step, `epoch` after every finished (evaluated and checkpointed) epoch.
public enum TrainingEvent: Sendable {
  /// The run began: from scratch, or from the checkpoint named in the report (with every
  /// checkpoint it rejected and why).
  case started(ResumeReport, epochs: Int)
  case batch(BatchProgress)
  /// An epoch finished; `etaSeconds` is the rest of the run.
  case epoch(EpochMetrics, epochs: Int, etaSeconds: Double?)
}

/// The state of the current epoch after one training step.
public struct BatchProgress: Sendable, Equatable {
  /// 1-based epoch and its count.
  public var epoch: Int
  public var epochs: Int
  /// Batches done in this epoch (1-based) and the epoch's count.
  public var batch: Int
  public var batchesPerEpoch: Int
  /// Mean total loss (cross-entropy + Σ λ·MFD) over this epoch's images so far.
  public var runningLoss: Double
  /// Top-1 accuracy over this epoch's training images so far (train mode).
  public var runningAccuracy: Double
  /// Training images per second over this epoch so far.
  public var imagesPerSecond: Double
  /// Seconds until the whole run ends (remaining steps and evaluations at their measured pace);
  /// nil before anything was timed.
  public var etaSeconds: Double?

  public init(epoch: Int, epochs: Int, batch: Int, batchesPerEpoch: Int, runningLoss: Double,
              runningAccuracy: Double, imagesPerSecond: Double, etaSeconds: Double?) {
    self.epoch = epoch
    self.epochs = epochs
    self.batch = batch
    self.batchesPerEpoch = batchesPerEpoch
    self.runningLoss = runningLoss
    self.runningAccuracy = runningAccuracy
    self.imagesPerSecond = imagesPerSecond
    self.etaSeconds = etaSeconds
  }
}

/// Predicts the rest of a run from the step and evaluation times measured in this process
/// (epochs restored from a checkpoint were timed by another process and do not count).
struct RunTimeEstimator {
  private var stepSeconds = 0.0
  private var steps = 0
  private var evaluationSeconds = 0.0
  private var evaluations = 0
  /// Test batches per evaluation, to guess its cost before the first one was timed.
  let evaluationBatches: Int

  init(evaluationBatches: Int) { self.evaluationBatches = evaluationBatches }

  mutating func recordStep(seconds: Double) {
    stepSeconds += seconds
    steps += 1
  }

  mutating func recordEvaluation(seconds: Double) {
    evaluationSeconds += seconds
    evaluations += 1
  }

  /// Seconds for `steps` more training steps and `evaluations` more test passes.
  func remaining(steps remainingSteps: Int, evaluations remainingEvaluations: Int) -> Double? {
    guard steps > 0 else { return nil }
    let perStep = stepSeconds / Double(steps)
    // Until one is timed, an evaluation batch costs about a forward pass: a third of a step.
    let perEvaluation = evaluations > 0 ? evaluationSeconds / Double(evaluations)
      : perStep / 3 * Double(evaluationBatches)
    return perStep * Double(remainingSteps) + perEvaluation * Double(remainingEvaluations)
  }
}
