import Engine
import Models

/// Everything that fixes a training run's result (with the data and the thread count): the
/// network, the optimiser, the schedule, the epoch count and the seed. Echoed in every checkpoint
/// and result, and compared on resume so a checkpoint directory is never continued under
/// another recipe.
public struct TrainingConfiguration: Sendable, Equatable, Codable {
  public var model: ModelConfiguration
  /// Number of epochs (the paper: 100).
  public var epochs: Int
  /// Learning rate per epoch: base, milestones (0-based epochs at which it is multiplied by
  /// gamma, as `MultiStepLR`), gamma. The paper: 0.1, [30, 60, 90], 0.1.
  public var schedule: StepSchedule
  /// SGD momentum (the paper: 0.9).
  public var momentum: Float
  /// L2 weight decay on every parameter, BN and biases included, as the authors' code (5e-4).
  public var weightDecay: Float
  /// Fixes the initialisation and the dropout masks here, and the data order and augmentation
  /// on the data side (which must be built with the same seed).
  public var seed: UInt64
  /// Measure each stage's mean |R| over the test set after every epoch (Tables I and III). It
  /// costs about one MFD forward per stage per test batch.
  public var measuresStageCorrelation: Bool

  /// The paper's optimiser settings by default; `schedule` carries the learning rate.
  public init(
    model: ModelConfiguration, epochs: Int, schedule: StepSchedule, momentum: Float = 0.9,
    weightDecay: Float = 5e-4, seed: UInt64 = 0, measuresStageCorrelation: Bool = true
  ) {
    self.model = model
    self.epochs = epochs
    self.schedule = schedule
    self.momentum = momentum
    self.weightDecay = weightDecay
    self.seed = seed
    self.measuresStageCorrelation = measuresStageCorrelation
  }

  /// The values a run cannot start with, each named by its field.
  public func validate() throws(TrainingError) {
    do { try model.validate() } catch { throw .invalidConfiguration(field: "model", reason: error.description) }
    guard epochs >= 1 else { throw .invalidConfiguration(field: "epochs", reason: "must be at least 1, got \(epochs)") }
    guard schedule.base > 0, schedule.base.isFinite else {
      throw .invalidConfiguration(field: "schedule.base", reason: "the learning rate must be positive, got \(schedule.base)")
    }
    guard schedule.gamma > 0, schedule.gamma.isFinite else {
      throw .invalidConfiguration(field: "schedule.gamma", reason: "must be positive, got \(schedule.gamma)")
    }
    if let bad = schedule.milestones.first(where: { $0 < 1 }) {
      throw .invalidConfiguration(field: "schedule.milestones",
                                  reason: "milestones are epochs ≥ 1 at which the rate drops, got \(bad)")
    }
    guard momentum >= 0, momentum < 1 else {
      throw .invalidConfiguration(field: "momentum", reason: "must be in [0, 1), got \(momentum)")
    }
    guard weightDecay >= 0, weightDecay.isFinite else {
      throw .invalidConfiguration(field: "weightDecay", reason: "must be ≥ 0, got \(weightDecay)")
    }
  }

  /// Names of the top-level fields (and model fields, as `model.classes`) whose values differ.
  public func differences(from other: TrainingConfiguration) -> [String] {
    var fields: [String] = []
    let (a, b) = (model, other.model)
    if a.architecture != b.architecture { fields.append("model.architecture") }
    if a.classes != b.classes { fields.append("model.classes") }
    if a.widthMultiplier != b.widthMultiplier { fields.append("model.widthMultiplier") }
    if a.stemPool != b.stemPool { fields.append("model.stemPool") }
    if a.mfdPlacement != b.mfdPlacement { fields.append("model.mfdPlacement") }
    if a.mfdLambda != b.mfdLambda { fields.append("model.mfdLambda") }
    if a.dropout != b.dropout { fields.append("model.dropout") }
    if a.head != b.head { fields.append("model.head") }
    // A field added to ModelConfiguration later is still reported, if less precisely.
    if a != b, !fields.contains(where: { $0.hasPrefix("model.") }) { fields.append("model") }
    if epochs != other.epochs { fields.append("epochs") }
    if schedule != other.schedule { fields.append("schedule") }
    if momentum != other.momentum { fields.append("momentum") }
    if weightDecay != other.weightDecay { fields.append("weightDecay") }
    if seed != other.seed { fields.append("seed") }
    if measuresStageCorrelation != other.measuresStageCorrelation { fields.append("measuresStageCorrelation") }
    return fields
  }
}
