import Kernels

/// The outcome of a finished run: what the evaluate artifact records and the paper's tables are
/// built from. Codable as JSON (the Steps module writes it; `TrainingResult.decode` reads it back).
public struct TrainingResult: Sendable, Equatable, Codable {
  /// Bumped whenever the meaning of a field changes.
  public static let currentFormat = 1

  public var format: Int
  /// The recipe, echoed.
  public var configuration: TrainingConfiguration
  /// The data as the run saw it.
  public var data: DataSummary
  /// Learnable scalars of the network.
  public var parameterCount: Int
  /// Worker threads (OpenBLAS and the engine's loops) of the process that finished the run.
  public var threads: Int
  /// Top-1 test accuracy after the last epoch: the number the paper reports (mfd-reference.md §3,
  /// "final-epoch accuracy").
  public var finalTestAccuracy: Double
  /// The best test accuracy over the epochs, and the (1-based) epoch that reached it first.
  public var bestTestAccuracy: Double
  public var bestEpoch: Int
  /// Each stage's mean |R| over the test set after the last epoch (Tables I and III).
  public var finalStageCorrelation: [StageCorrelation]
  /// One row per epoch (Fig. 6).
  public var history: [EpochMetrics]
  /// Wall-clock seconds over all epochs, including those run before a resume.
  public var seconds: Double
  /// Training images per second of training time over all epochs (Table VII).
  public var imagesPerSecond: Double
  /// The largest peak resident memory any epoch recorded, bytes (Table VII).
  public var peakResidentBytes: Int
  /// Epoch counts at which the run was resumed from a checkpoint (empty: uninterrupted).
  public var resumedAt: [Int]

  /// The result of a run whose every epoch is in `history` (at least one).
  public init(configuration: TrainingConfiguration, data: DataSummary, parameterCount: Int,
              threads: Int, history: [EpochMetrics], resumedAt: [Int]) {
    precondition(!history.isEmpty, "a result needs at least one epoch")
    format = Self.currentFormat
    self.configuration = configuration
    self.data = data
    self.parameterCount = parameterCount
    self.threads = threads
    self.history = history
    self.resumedAt = resumedAt
    let last = history[history.count - 1]
    finalTestAccuracy = last.testAccuracy
    finalStageCorrelation = last.stageCorrelation
    // First epoch reaching the maximum, so a plateau reports where it began.
    let best = history.enumerated().max { a, b in
      a.element.testAccuracy < b.element.testAccuracy
        || (a.element.testAccuracy == b.element.testAccuracy && a.offset > b.offset)
    }!.element
    bestTestAccuracy = best.testAccuracy
    bestEpoch = best.epoch
    seconds = history.reduce(0) { $0 + $1.seconds }
    let images = history.reduce(0) { $0 + $1.trainImages }
    let trainSeconds = history.reduce(0) { $0 + $1.trainSeconds }
    imagesPerSecond = trainSeconds > 0 ? Double(images) / trainSeconds : 0
    peakResidentBytes = history.map(\.peakResidentBytes).max()!
  }
}

/// The data a run trained and evaluated on, as counts.
public struct DataSummary: Sendable, Equatable, Codable {
  public var batchSize: Int
  public var batchesPerEpoch: Int
  public var testSamples: Int
  public var testBatches: Int

  public init(batchSize: Int, batchesPerEpoch: Int, testSamples: Int, testBatches: Int) {
    self.batchSize = batchSize
    self.batchesPerEpoch = batchesPerEpoch
    self.testSamples = testSamples
    self.testBatches = testBatches
  }
}

/// How a run ended.
public enum TrainingOutcome: Sendable {
  /// Every epoch ran: the result to record.
  case finished(TrainingResult)
  /// Stopped at a batch boundary by its `CancellationToken`. The unfinished epoch left no
  /// checkpoint; `epochsCompleted` are safe on disk (when the run had a checkpoint directory) and
  /// described in `history`.
  case cancelled(epochsCompleted: Int, history: [EpochMetrics])
}
