import Engine
import Foundation
import Models
import Training

/// Tiny runs for the tests: networks at width 0.125 on 8×8 (ResNet) or 32×32 (MobileNetV2,
/// whose ImageNet strides need it) images, a handful of batches per epoch.
enum TrainingFixtures {
  /// A 4-class synthetic problem: `batches` training batches of `batch` images per epoch.
  static func problem(side: Int = 8, batches: Int = 4, batch: Int = 8, testCount: Int = 32,
                      classes: Int = 4, seed: UInt64 = 7) -> (SyntheticTrainingData, SyntheticEvaluationData) {
    let problem = SyntheticClassification(classes: classes, side: side, trainCount: batches * batch,
                                          testCount: testCount, seed: seed)
    return (problem.trainingData(batchSize: batch), problem.evaluationData(batchSize: batch))
  }

  static func configuration(
    _ architecture: Architecture = .resnet50, placement: MFDPlacement = .stages, epochs: Int = 3,
    schedule: StepSchedule = StepSchedule(base: 0.05, milestones: [2], gamma: 0.1), seed: UInt64 = 1
  ) -> TrainingConfiguration {
    TrainingConfiguration(
      model: ModelConfiguration(architecture: architecture, classes: 4, widthMultiplier: 0.125,
                                mfdPlacement: placement),
      epochs: epochs, schedule: schedule, seed: seed)
  }

  /// The side a tiny test run of `architecture` uses.
  static func side(_ architecture: Architecture) -> Int { architecture == .mobilenet_v2 ? 32 : 8 }

  /// A run of `configuration` on the default problem at the architecture's side.
  static func run(_ configuration: TrainingConfiguration, directory: URL?) throws -> TrainingRun {
    let (train, test) = problem(side: side(configuration.model.architecture))
    return try TrainingRun(configuration: configuration, training: train, evaluation: test,
                           checkpoints: directory.map { EpochCheckpointStore(directory: $0) })
  }

  /// A fresh directory under the system's temporary directory; the caller removes it.
  static func temporaryDirectory() -> URL {
    let url = FileManager.default.temporaryDirectory
      .appendingPathComponent("mfd-training-tests-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }

  /// Every parameter, buffer and counter of `network` by name, as exact values.
  static func state(_ network: Network) -> [String: [Float]] {
    var result: [String: [Float]] = [:]
    for (name, entry) in network.namedState() {
      switch entry {
      case .parameter(let p): result[name] = p.value.values
      case .buffer(let t): result[name] = t.values
      case .counter(let c): result[name] = [Float(c.value)]
      }
    }
    return result
  }

  /// The finished result, or a failure naming what happened instead.
  static func finished(_ outcome: TrainingOutcome) throws -> TrainingResult {
    guard case .finished(let result) = outcome else { throw FixtureError.notFinished("\(outcome)") }
    return result
  }

  enum FixtureError: Error { case notFinished(String) }
}
