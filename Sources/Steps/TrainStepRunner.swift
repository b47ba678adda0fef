import Datasets
import Engine
import Foundation
import Kernels
import Models
import Pipeline
import Training

/// `train@<model>-<dataset>-<loss>-s<seed>`: one training run of the manifest's recipe. Epoch
/// checkpoints go to the step's private work folder, so a killed run resumes from its last
/// finished epoch (bit-identical at the same thread count); outputs are the final weights
/// (`model.safetensors`, torchvision names, opens in PyTorch) and the run's history
/// (`training.json`: per-epoch losses, accuracies, per-stage mean |R|, seconds, memory).
public struct TrainStepRunner: StepRunner {
  public init() {}

  public var codeVersion: String { "train-1" }

  public static let weightsFile = "model.safetensors"
  public static let resultFile = "training.json"

  public func run(_ context: StepContext) throws {
    // Process-wide (OpenBLAS has one pool), and the executor gives every concurrent step the
    // same share, so steps running side by side agree on it.
    Threading.setThreadCount(context.threads)
    let data = try ExperimentData.load(Self.dataRequest(context), splitsIn: context.input(.preprocess))
    let configuration = try Self.configuration(context, data: data)
    let checkpoints = EpochCheckpointStore(directory: context.workDirectory.appendingPathComponent("checkpoints"))
    let run = try TrainingRun(configuration: configuration, training: data.training,
                              evaluation: data.evaluation, checkpoints: checkpoints)
    let stop = Training.CancellationToken()
    let epochs = configuration.epochs
    let outcome = try run.run(resume: true, cancellation: stop) { event in
      if context.cancellation.isCancelled { stop.cancel() }
      switch event {
      case .batch(let progress):
        let done = Double((progress.epoch - 1) * progress.batchesPerEpoch + progress.batch)
        context.progress(StepProgress(
          fraction: done / Double(epochs * progress.batchesPerEpoch), epoch: progress.epoch, epochs: epochs,
          loss: progress.runningLoss, accuracy: progress.runningAccuracy * 100))
      case .epoch(let metrics, _, _):
        context.progress(StepProgress(fraction: Double(metrics.epoch) / Double(epochs), epoch: metrics.epoch,
                                      epochs: epochs, accuracy: metrics.testAccuracy * 100,
                                      message: "epoch \(metrics.epoch) test \(String(format: "%.2f", metrics.testAccuracy * 100)) %"))
      case .started:
        break
      }
    }
    guard case .finished(let result) = outcome else { throw StepCancelled() }
    try Checkpoint.save(run.network, metadata: ["step": context.step.id.description],
                        to: context.outputDirectory.appendingPathComponent(Self.weightsFile))
    try TrainingJSON.encoder().encode(result).write(to: context.outputDirectory.appendingPathComponent(Self.resultFile))
  }

  /// The data a training step reads: the preprocess step's splits, subsets and augmentation from
  /// the manifest's settings, shuffled by the step's seed.
  static func dataRequest(_ context: StepContext) throws -> ExperimentData.Request {
    let padding = try context.int("settings.data.augmentation.pad_crop")
    let flip = context.config[path: "settings.data.augmentation.flip"]?.boolValue ?? true
    return ExperimentData.Request(
      dataset: try context.string("dataset"), batchSize: try context.int("settings.data.batch_size"),
      seed: UInt64(try context.int("seed")), trainSubset: context.optionalInt("settings.data.train_subset"),
      testSubset: context.optionalInt("settings.data.test_subset"),
      augmentation: Augmentation(padding: padding, horizontalFlip: flip))
  }

  /// The manifest's model, loss and recipe as the Training module's configuration. The stem
  /// max-pool is kept for 64×64 datasets, as the paper does.
  static func configuration(_ context: StepContext, data: ExperimentData) throws -> TrainingConfiguration {
    let name = try context.string("model")
    guard let architecture = Architecture(rawValue: name) else {
      throw StepConfigError(step: context.step.id.description, field: "model",
                            expected: "one of \(Architecture.allCases.map(\.rawValue).joined(separator: ", "))")
    }
    let head = try Self.head(context)
    let placementName = try context.string("loss.mfd_placement")
    guard let placement = MFDPlacement(rawValue: placementName) else {
      throw StepConfigError(step: context.step.id.description, field: "loss.mfd_placement", expected: "none, stages or blocks")
    }
    let stemPool = data.side >= 64 && architecture != .mobilenet_v2 && architecture != .mobilenet_v2_cifar
    let model = ModelConfiguration(
      architecture: architecture, classes: data.classes, widthMultiplier: try context.double("settings.model.width_multiplier"),
      stemPool: stemPool, mfdPlacement: placement, mfdLambda: Float(try context.double("loss.mfd_lambda")),
      inputChannels: data.channels, head: head)
    let milestones = context.config[path: "settings.schedule.milestones"]?.arrayValue?.compactMap(\.intValue) ?? []
    return TrainingConfiguration(
      model: model, epochs: try context.int("settings.schedule.epochs"),
      schedule: StepSchedule(base: try context.double("settings.optimizer.lr"), milestones: milestones,
                             gamma: try context.double("settings.schedule.gamma")),
      momentum: Float(try context.double("settings.optimizer.momentum")),
      weightDecay: Float(try context.double("settings.optimizer.weight_decay")),
      seed: UInt64(try context.int("seed")))
  }

  /// The classifier head of `loss.base` (softmax, center, am_softmax, arcface) with the face
  /// loss's parameters the manifest gives (`loss.scale`, `loss.margin`, `loss.center_lambda`,
  /// `loss.center_alpha`, `loss.embedding_features`), the training code's defaults for the rest.
  static func head(_ context: StepContext) throws -> HeadConfiguration {
    let name = try context.string("loss.base")
    guard let base = BaseLoss(rawValue: name) else {
      throw StepConfigError(step: context.step.id.description, field: "loss.base",
                            expected: "one of \(BaseLoss.allCases.map(\.rawValue).joined(separator: ", "))")
    }
    let number = { (key: String) in context.config[path: "loss.\(key)"]?.doubleValue.map { Float($0) } }
    return HeadConfiguration(
      loss: base, embeddingFeatures: context.optionalInt("loss.embedding_features") ?? HeadConfiguration.defaultEmbeddingFeatures,
      scale: number("scale"), margin: number("margin"), centerLambda: number("center_lambda"),
      centerAlpha: number("center_alpha"))
  }
}
