import Foundation

/// The pipeline's own `aggregate@<table>` step: gathers every evaluate result of the table into one
/// `results.json` (`[{"step": "evaluate@…", "metrics": {…}}]`, sorted by step id), so a finished
/// table is one stored, checksummed artifact whose digest covers all its seeds.
public struct AggregateStepRunner: StepRunner {
  public static let fileName = "results.json"

  public init() {}

  public var codeVersion: String { "aggregate-1" }

  public func run(_ context: StepContext) throws {
    var rows: [ConfigValue] = []
    for (id, directory) in context.inputDirectories.sorted(by: { $0.id < $1.id }) {
      try context.cancellation.checkpoint()
      let metrics = try EvaluationMetrics.read(from: directory)
      rows.append(.object(["step": .string(id.description), "metrics": .object(metrics.mapValues(EvaluationMetrics.configValue))]))
    }
    try Data(ConfigValue.array(rows).canonicalJSON.utf8)
      .write(to: context.outputDirectory.appendingPathComponent(Self.fileName))
    context.progress(StepProgress(fraction: 1, message: "\(rows.count) results"))
  }
}
