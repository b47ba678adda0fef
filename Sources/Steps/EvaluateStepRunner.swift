import Datasets
import Engine
import Foundation
import Kernels
import Models
import Pipeline
import Training

/// `evaluate@…`: the trained weights on the test split, in eval mode, as an independent step:
/// top-1 accuracy (the tables' metric), test cross-entropy and each stage's mean |R| (Tables I
/// and III), plus the training run's cost (seconds per epoch and peak memory: Table VII), all in
/// `metrics.json`, which the aggregate step and the reports read.
public struct EvaluateStepRunner: StepRunner {
  public init() {}

  public var codeVersion: String { "evaluate-2" }

  public func run(_ context: StepContext) throws {
    // Process-wide (OpenBLAS has one pool), and the executor gives every concurrent step the
    // same share, so steps running side by side agree on it.
    Threading.setThreadCount(context.threads)
    let trained = try context.input(.train)
    let result = try TrainingJSON.decoder().decode(
      TrainingResult.self, from: Data(contentsOf: trained.appendingPathComponent(TrainStepRunner.resultFile)))
    // No initialisation: the strict load below sets every parameter, buffer and counter.
    let network = try Network(result.configuration.model)
    try Checkpoint.load(from: trained.appendingPathComponent(TrainStepRunner.weightsFile), into: network)
    let request = ExperimentData.Request(
      dataset: try context.string("dataset"), batchSize: result.data.batchSize,
      seed: UInt64(try context.int("seed")), testSubset: context.optionalInt("test_subset"))
    let evaluation = try ExperimentData.loadEvaluation(request, splitsIn: context.input(.preprocess))
    context.progress(StepProgress(fraction: 0, message: "evaluating \(evaluation.sampleCount) test images"))
    let evaluator = Evaluator(network: network, measuresStageCorrelation: true)
    guard let metrics = try evaluator.evaluate(evaluation, shouldStop: { context.cancellation.isCancelled }) else {
      throw StepCancelled()
    }
    var values: [String: Double] = [
      "top1_accuracy": metrics.accuracy * 100,
      "test_cross_entropy": metrics.crossEntropy,
      "seconds_per_epoch": result.seconds / Double(max(1, result.history.count)),
      "train_images_per_second": result.imagesPerSecond,
      "peak_memory_gib": Double(result.peakResidentBytes) / 1_073_741_824,
      // Table VII gives memory in MiB.
      "peak_memory_mib": Double(result.peakResidentBytes) / 1_048_576,
    ]
    for stage in metrics.stageCorrelation {
      values["mean_abs_correlation_\(stage.stage)"] = stage.meanAbsoluteCorrelation
    }
    try Pipeline.EvaluationMetrics.write(values, to: context.outputDirectory)
    context.progress(StepProgress(fraction: 1, accuracy: metrics.accuracy * 100))
  }
}
