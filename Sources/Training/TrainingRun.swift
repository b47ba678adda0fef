import Engine
import Foundation
import Kernels
import Models

/// One training run: a network built from its configuration, trained with SGD (momentum, weight
/// decay on every parameter) under a step schedule, evaluated after every epoch, and
/// checkpointed after every epoch so that it can be resumed.
///
///     let run = try TrainingRun(configuration: configuration, training: train, evaluation: test,
///                               checkpoints: EpochCheckpointStore(directory: directory))
///     switch try run.run(resume: true, cancellation: token, progress: { print(ProgressFormatter.line($0)) }) {
///     case .finished(let result): …   // write the artifact
///     case .cancelled(let epochs, _): …  // `epochs` are safe on disk; run again to resume
///     }
///
/// **Determinism.** The seed fixes the initialisation and every dropout mask (re-seeded at each
/// epoch from (seed, epoch)); the data side fixes order and augmentation from the same seed. With
/// the same thread count (`Threading.setThreadCount`, process-wide, set by the caller), a run
/// stopped after any epoch and resumed from its checkpoint ends with the same bits as one that
/// was never stopped.
public final class TrainingRun {
  public let configuration: TrainingConfiguration
  public let network: Network
  public let optimizer: SGD
  let trainer: ClassifierTrainer
  let training: any TrainingData
  let evaluation: any EvaluationData
  let checkpoints: EpochCheckpointStore?
  let dropoutLayers: [Dropout]
  private var hasRun = false

  /// Builds and initialises the network (parameters from `configuration.seed`).
  /// - checkpoints: where epoch checkpoints go; nil trains without any (nothing to resume).
  /// - Throws: `TrainingError.invalidConfiguration` naming the field at fault.
  public init(
    configuration: TrainingConfiguration, training: any TrainingData, evaluation: any EvaluationData,
    checkpoints: EpochCheckpointStore?
  ) throws(TrainingError) {
    try configuration.validate()
    guard training.batchesPerEpoch >= 1 else {
      throw .invalidConfiguration(field: "training data", reason: "has no batch per epoch (fewer images than one batch?)")
    }
    guard evaluation.batchCount >= 1, evaluation.sampleCount >= 1 else {
      throw .invalidConfiguration(field: "evaluation data", reason: "is empty")
    }
    self.configuration = configuration
    do { network = try Network(configuration.model) } catch {
      throw .invalidConfiguration(field: "model", reason: error.description)
    }
    network.initialise(seed: configuration.seed)
    optimizer = SGD(parameters: network.namedParameters(),
                    learningRate: Float(configuration.schedule.rate(epoch: 0)),
                    momentum: configuration.momentum, weightDecay: configuration.weightDecay)
    trainer = ClassifierTrainer(model: network, optimizer: optimizer, loss: configuration.model.head.makeLoss())
    dropoutLayers = network.allLayers().compactMap { $0 as? Dropout }
    self.training = training
    self.evaluation = evaluation
    self.checkpoints = checkpoints
  }

  /// The data as this run sees it (echoed in the result).
  public var dataSummary: DataSummary {
    DataSummary(batchSize: training.batchSize, batchesPerEpoch: training.batchesPerEpoch,
                testSamples: evaluation.sampleCount, testBatches: evaluation.batchCount)
  }

  /// Trains to the configured epoch count, or until `cancellation` is raised.
  ///
  /// - resume: continue from the newest intact checkpoint in the directory (or start from scratch
  ///   when there is none); a finished run's directory gives back its result without training.
  ///   When false, a directory that already holds checkpoints is an error rather than something
  ///   to overwrite.
  /// - cancellation: checked before every training and test batch; a raised token ends the run
  ///   at that boundary without checkpointing the unfinished epoch.
  /// - progress: called on this thread after every step and every epoch (keep it cheap).
  /// - Throws: `TrainingError` (data, divergence, checkpoint I/O, a checkpoint of another
  ///   configuration). Epochs checkpointed before the error stay on disk.
  public func run(
    resume: Bool = true, cancellation: CancellationToken = CancellationToken(),
    progress: (TrainingEvent) -> Void = { _ in }
  ) throws(TrainingError) -> TrainingOutcome {
    precondition(!hasRun, "a TrainingRun runs once; build a new one (it resumes from its checkpoints)")
    hasRun = true
    // Table VII's memory is this run's peak, not that of whatever the process did before. (Runs
    // sharing a process concurrently cannot be told apart; run those in separate processes.)
    ResidentMemory.resetPeak()
    var history: [EpochMetrics] = []
    var resumedAt: [Int] = []
    var report = ResumeReport(loaded: nil, epochsCompleted: 0, rejected: [], threadsChangedFrom: nil)
    if let checkpoints {
      try checkpoints.prepare()
      if !resume, try !checkpoints.epochsOnDisk().isEmpty {
        throw .checkpointsExist(directory: checkpoints.directory.path)
      }
      checkpoints.removeLeftoverTemporaries()
      let restored = try checkpoints.restoreLatest(into: network, optimizer: optimizer, configuration: configuration)
      report = restored.report
      if let sidecar = restored.sidecar {
        history = sidecar.history
        // A finished run asked again returns its result as it was: nothing is resumed.
        let remains = sidecar.epochsCompleted < configuration.epochs
        resumedAt = sidecar.resumedAt + (remains ? [sidecar.epochsCompleted] : [])
      }
    }
    progress(.started(report, epochs: configuration.epochs))

    var clock = RunTimeEstimator(evaluationBatches: evaluation.batchCount)
    for epoch in history.count..<configuration.epochs {
      guard let metrics = try trainEpoch(epoch, clock: &clock, cancellation: cancellation, progress: progress) else {
        return .cancelled(epochsCompleted: history.count, history: history)
      }
      history.append(metrics)
      if let checkpoints {
        try checkpoints.save(network: network, optimizer: optimizer, sidecar: CheckpointSidecar(
          format: CheckpointSidecar.currentFormat, epochsCompleted: epoch + 1,
          position: DataPosition(epoch: epoch + 1, batch: 0), weightsFile: "", weightsBytes: 0,
          weightsSHA256: "", configuration: configuration, threads: Threading.threadCount,
          history: history, resumedAt: resumedAt, contentSHA256: ""))
      }
      let remainingEpochs = configuration.epochs - epoch - 1
      progress(.epoch(history[history.count - 1], epochs: configuration.epochs, etaSeconds: clock.remaining(
        steps: remainingEpochs * training.batchesPerEpoch, evaluations: remainingEpochs)))
    }
    return .finished(TrainingResult(
      configuration: configuration, data: dataSummary, parameterCount: network.parameterCount,
      threads: Threading.threadCount, history: history, resumedAt: resumedAt))
  }
}

/// Seconds elapsed on the monotonic clock since `start`.
func seconds(since start: ContinuousClock.Instant) -> Double {
  let elapsed = ContinuousClock.now - start
  return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
}
