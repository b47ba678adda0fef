import ArgumentParser
import Dispatch
import Engine
import Foundation
import Kernels
import Models
import Steps
import Training
#if canImport(Glibc)
import Glibc
#endif

struct Train: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Train one network directly, outside any manifest.",
    discussion: """
      Progress goes to standard error (one line per epoch, and a batch line every \
      --progress-every seconds); the result (final and best test accuracy, per-epoch history, \
      per-stage mean |R|, seconds, images/s, peak RSS, the configuration) goes to standard output \
      as JSON.

      Data: a dataset of the catalogue (`mfd data list`: cifar10, cifar100, tiny_imagenet, \
      facescrub, fashion_mnist), preprocessed under --data-root by `mfd data preprocess NAME`, \
      optionally reduced to class-balanced subsets (--train-subset, --test-subset); training \
      images get the paper's pad-4 crop and flip. Or '--data synthetic', a seeded problem with a \
      class pattern per image plus noise that the network genuinely has to learn (--classes, \
      --image-size, --train-count, --test-count, --noise).

      With --checkpoint-dir, every finished epoch is checkpointed (the newest two are kept); \
      SIGINT or SIGTERM stops at the next batch boundary (a second one exits at once), and \
      --resume continues from the newest intact checkpoint, bit-identical to an uninterrupted \
      run at the same --threads.
      """)

  @Option(help: "Dataset: a catalogue name (see `mfd data list`) or 'synthetic'.")
  var data: String = "synthetic"
  @Option(help: "Folder of the preprocessed datasets (as `mfd data --root`).")
  var dataRoot: String = "data"
  @Option(help: "Keep this many training images (class-balanced, drawn by --seed); default: all.")
  var trainSubset: Int?
  @Option(help: "Keep this many test images (class-balanced, drawn by --seed); default: all.")
  var testSubset: Int?
  @Flag(help: "Train without the pad-4 crop and flip.")
  var noAugmentation = false
  @Option(help: "Synthetic data: number of classes.")
  var classes: Int = 10
  @Option(help: "Synthetic data: images are N×N pixels, 3 channels.")
  var imageSize: Int = 32
  @Option(help: "Synthetic data: training images (batches of --batch; the incomplete last batch is dropped).")
  var trainCount: Int = 5000
  @Option(help: "Synthetic data: test images.")
  var testCount: Int = 1000
  @Option(help: "Synthetic data: per-pixel noise standard deviation (class patterns have variance 0.5).")
  var noise: Float = 1

  @Option(help: "Network: \(Architecture.allCases.map(\.rawValue).joined(separator: ", ")).")
  var model: Architecture = .resnet50
  @Option(help: "Channel width multiplier (1 is the paper's network).")
  var width: Double = 1
  @Flag(help: "Keep the max-pool after the stem (the paper does at 64×64).")
  var stemPool = false
  @Option(help: "MFD placement: none, stages (the paper's 5 stage outputs), blocks (every post-ReLU activation, as the authors' code).")
  var mfd: MFDPlacement = .none
  @Option(help: "λ of every MFD term.")
  var lambda: Float = 1
  @Option(help: "Classification loss: softmax, or a face loss of Table VI: center, am_softmax, arcface (these add a 512-wide embedding before their head; MFD combines with any).")
  var loss: BaseLoss = .softmax
  @Option(help: "AM-Softmax / ArcFace scale s (default 7.5 / 64).")
  var scale: Float?
  @Option(help: "AM-Softmax / ArcFace margin m (default 0.35 / 0.5, Table VI).")
  var margin: Float?
  @Option(help: "Center loss weight λ_c (default 0.003).")
  var centerLambda: Float?
  @Option(help: "Center loss centre update rate α (default 0.5).")
  var centerAlpha: Float?
  @Option(help: "Face losses: embedding width before the width multiplier.")
  var embeddingFeatures: Int = HeadConfiguration.defaultEmbeddingFeatures

  @Option(help: "Epochs.")
  var epochs: Int = 100
  @Option(help: "Images per batch.")
  var batch: Int = 128
  @Option(help: "Initial learning rate.")
  var lr: Double = 0.1
  @Option(help: "Epochs (1-based counts done) after which the rate is multiplied by --gamma, comma-separated; 'none' for a constant rate.")
  var milestones: String = "30,60,90"
  @Option(help: "Learning-rate factor at each milestone.")
  var gamma: Double = 0.1
  @Option(help: "SGD momentum.")
  var momentum: Float = 0.9
  @Option(help: "Weight decay on every parameter.")
  var weightDecay: Float = 5e-4
  @Option(help: "Seed of initialisation, data order, augmentation and dropout.")
  var seed: UInt64 = 0
  @Flag(help: "Skip the per-stage mean |R| on the test set after each epoch.")
  var noStageCorrelation = false

  @Option(help: "Worker threads for OpenBLAS and the engine's loops.")
  var threads: Int = 2
  @Option(help: "Directory for epoch checkpoints (none: no checkpoints).")
  var checkpointDir: String?
  @Flag(help: "Continue from the newest intact checkpoint in --checkpoint-dir.")
  var resume = false
  @Option(help: "Seconds between batch progress lines (0: every batch).")
  var progressEvery: Double = 5
  @Option(help: "Also write the result JSON to this file.")
  var output: String?

  func validate() throws {
    guard threads >= 1 else { throw ValidationError("--threads must be at least 1, got \(threads)") }
    guard batch >= 2 else { throw ValidationError("--batch must be at least 2 (batch-norm and MFD need two samples), got \(batch)") }
    guard classes >= 2 else { throw ValidationError("--classes must be at least 2, got \(classes)") }
    guard imageSize >= 1 else { throw ValidationError("--image-size must be positive, got \(imageSize)") }
    if data == "synthetic" {
      guard trainCount >= batch else { throw ValidationError("--train-count (\(trainCount)) must hold at least one batch of --batch \(batch)") }
    }
    if let trainSubset, trainSubset < batch { throw ValidationError("--train-subset (\(trainSubset)) must hold at least one batch of --batch \(batch)") }
    if let testSubset, testSubset < 1 { throw ValidationError("--test-subset must be at least 1, got \(testSubset)") }
    guard testCount >= 1 else { throw ValidationError("--test-count must be at least 1, got \(testCount)") }
    guard noise >= 0 else { throw ValidationError("--noise must be ≥ 0, got \(noise)") }
    guard progressEvery >= 0 else { throw ValidationError("--progress-every must be ≥ 0, got \(progressEvery)") }
    _ = try parsedMilestones()
    if resume, checkpointDir == nil { throw ValidationError("--resume needs --checkpoint-dir") }
    if loss != .am_softmax, loss != .arcface, scale != nil || margin != nil {
      throw ValidationError("--scale and --margin apply to --loss am_softmax or arcface, not \(loss.rawValue)")
    }
    if loss != .center, centerLambda != nil || centerAlpha != nil {
      throw ValidationError("--center-lambda and --center-alpha apply to --loss center, not \(loss.rawValue)")
    }
    do { try head.validate() } catch { throw ValidationError(error.description) }
  }

  /// The classifier head and loss the options select.
  var head: HeadConfiguration {
    HeadConfiguration(loss: loss, embeddingFeatures: embeddingFeatures, scale: scale, margin: margin,
                      centerLambda: centerLambda, centerAlpha: centerAlpha)
  }

  func parsedMilestones() throws -> [Int] {
    if milestones == "none" || milestones.isEmpty { return [] }
    return try milestones.split(separator: ",").map { text in
      guard let value = Int(text.trimmingCharacters(in: .whitespaces)), value >= 1 else {
        throw ValidationError("--milestones: '\(text)' is not an epoch ≥ 1 (use e.g. 30,60,90 or 'none')")
      }
      return value
    }
  }

  func run() throws {
    Threading.setThreadCount(threads)
    let (training, evaluation, classCount, channels) = try loadData()
    let configuration = TrainingConfiguration(
      model: ModelConfiguration(architecture: model, classes: classCount, widthMultiplier: width, stemPool: stemPool,
                                mfdPlacement: mfd, mfdLambda: lambda, inputChannels: channels, head: head),
      epochs: epochs, schedule: StepSchedule(base: lr, milestones: try parsedMilestones(), gamma: gamma),
      momentum: momentum, weightDecay: weightDecay, seed: seed, measuresStageCorrelation: !noStageCorrelation)
    let store = checkpointDir.map { EpochCheckpointStore(directory: URL(fileURLWithPath: $0)) }
    let run = try TrainingRun(configuration: configuration, training: training,
                              evaluation: evaluation, checkpoints: store)

    let token = CancellationToken()
    let signals = stopOnSignals(token)
    defer { signals.forEach { $0.cancel() } }
    var lastLine = ContinuousClock.now
    let every = Duration.milliseconds(Int64(progressEvery * 1000))
    let outcome = try run.run(resume: resume, cancellation: token) { event in
      if case .batch = event {
        guard ContinuousClock.now - lastLine >= every else { return }
      }
      lastLine = ContinuousClock.now
      printError(ProgressFormatter.line(event))
    }

    switch outcome {
    case .finished(let result):
      let json = try TrainingJSON.encoder().encode(result)
      if let output { try json.write(to: URL(fileURLWithPath: output)) }
      print(String(decoding: json, as: UTF8.self))
    case .cancelled(let epochs, _):
      let where_ = checkpointDir.map { "; continue with --resume --checkpoint-dir \($0)" }
        ?? " (no --checkpoint-dir: nothing was kept)"
      printError("stopped by a signal after \(epochs) finished epoch(s)\(where_)")
      throw ExitCode(130)
    }
  }
}

extension Train {
  /// The training and test data, their class count and image channels.
  func loadData() throws -> (any TrainingData, any EvaluationData, classes: Int, channels: Int) {
    if data == "synthetic" {
      let problem = SyntheticClassification(classes: classes, side: imageSize, trainCount: trainCount,
                                            testCount: testCount, seed: seed, noise: noise)
      return (problem.trainingData(batchSize: batch), problem.evaluationData(batchSize: batch), classes, 3)
    }
    let request = ExperimentData.Request(
      dataset: data, batchSize: batch, seed: seed, trainSubset: trainSubset, testSubset: testSubset,
      augmentation: noAugmentation ? .none : .paper)
    let loaded = try ExperimentData.load(request, root: URL(fileURLWithPath: dataRoot))
    return (loaded.training, loaded.evaluation, loaded.classes, loaded.channels)
  }
}

extension MFDPlacement: ExpressibleByArgument {}
extension BaseLoss: ExpressibleByArgument {}

/// Raises `token` on SIGINT or SIGTERM so the run stops at the next batch boundary; a second
/// signal ends the process at once.
private func stopOnSignals(_ token: CancellationToken) -> [any DispatchSourceSignal] {
  [SIGINT, SIGTERM].map { number in
    signal(number, SIG_IGN)
    let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
    source.setEventHandler {
      if token.isCancelled { _exit(128 + number) }
      token.cancel()
      printError("stopping at the next batch boundary (signal again to exit now)…")
    }
    source.resume()
    return source
  }
}

private func printError(_ line: String) {
  FileHandle.standardError.write(Data((line + "\n").utf8))
}
