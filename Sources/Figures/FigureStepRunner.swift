import Foundation
import Kernels
import Pipeline

/// `figure@<id>`: draws a manifest's figure (`FigureSpec`) from its input steps' outputs into
/// `<id>.png` (and `<id>.svg` for curves), so a figure is a stored, checksummed artifact like a
/// table, redrawn only when a model it shows changed. `mfd run` copies it into `results/`.
public struct FigureStepRunner: StepRunner {
  public init() {}

  public var codeVersion: String { "figure-1" }

  public func run(_ context: StepContext) throws {
    Threading.setThreadCount(context.threads)
    guard let id = context.config[path: "id"]?.stringValue,
          let kind = context.config[path: "kind"]?.stringValue.flatMap(FigureSpec.Kind.init) else {
      throw FigureError.invalidFigureStep(step: context.step.id.description, reason: "its configuration lacks 'id' or 'kind'")
    }
    let stem = context.outputDirectory.appendingPathComponent(id)
    let runs = context.inputDirectories.filter { $0.id.kind == .train }.map(\.directory)
    switch kind {
    case .accuracyCurves:
      _ = try AccuracyCurves.write(runs: runs, stem: stem, title: context.config[path: "title"]?.stringValue)
    case .featureMaps:
      guard let split = context.inputDirectories.first(where: { $0.id.kind == .preprocess })?.directory,
            let stage = context.config[path: "stage"]?.intValue else {
        throw FigureError.invalidFigureStep(step: context.step.id.description, reason: "feature maps need a stage and the test split")
      }
      let request = FeatureMapFigure.Request(
        runs: runs, split: split, imageIndex: context.config[path: "image"]?.intValue ?? 0, stage: stage,
        channels: context.config[path: "channels"]?.intValue ?? 64)
      _ = try FeatureMapFigure.write(request, stem: stem)
    }
    context.progress(StepProgress(fraction: 1, message: "drew \(id)"))
  }
}
