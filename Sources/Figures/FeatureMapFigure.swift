import AtomicFiles
import Foundation
import Plots

/// Figs. 1, 4 and 5: the first channels of a stage's output for one test image, softmax beside
/// softmax + MFD. Fig. 1 is the softmax panel alone (stage 0), Fig. 4 stage 0 and Fig. 5 stage 1
/// of both.
public enum FeatureMapFigure {
  /// What to draw.
  public struct Request: Sendable {
    /// Train step output folders (or their `training.json`), one panel each, left to right.
    public var runs: [URL]
    /// A `test.mfdsplit` or a folder holding one (see `TestImage`).
    public var split: URL
    public var imageIndex: Int
    /// 0-based stage (S0…S4).
    public var stage: Int
    /// Channels shown per panel, from channel 0 (the paper: 64).
    public var channels: Int

    public init(runs: [URL], split: URL, imageIndex: Int, stage: Int, channels: Int = 64) {
      self.runs = runs
      self.split = split
      self.imageIndex = imageIndex
      self.stage = stage
      self.channels = channels
    }
  }

  /// The figure for `request`: every run's network loaded, the image run through each.
  public static func comparison(_ request: Request) throws -> FeatureMapComparison {
    guard !request.runs.isEmpty else { throw FigureError.incompatibleRuns("no runs given") }
    let image = try TestImage(split: request.split, index: request.imageIndex)
    var panels: [FeatureMapComparison.Panel] = []
    var sources: [String] = []
    for path in request.runs {
      let run = try TrainedRun(at: path)
      let maps = try StageCapture.capture(try run.network(), image: image.tensor, stages: [request.stage])[request.stage]!
      panels.append(.init(title: run.loss.text, grid: FeatureMapGrid(maps, count: request.channels)))
      let model = run.result.configuration.model
      sources.append("\(run.loss.text): \(AccuracyCurves.describe(model)), seed \(run.result.configuration.seed), "
        + "\(run.result.history.count) epoch\(run.result.history.count == 1 ? "" : "s"), final test \(String(format: "%.2f", run.result.finalTestAccuracy * 100)) %")
    }
    let title = "Stage \(request.stage) outputs for \(image.dataset) test image \(image.index) (class \(image.className))"
    return FeatureMapComparison(title: title, panels: panels, notes: sources)
  }

  /// Draws `request` to `<stem>.png`.
  @discardableResult
  public static func write(_ request: Request, stem: URL) throws -> URL {
    let figure = try comparison(request)
    let png = stem.appendingPathExtension("png")
    try FileManager.default.createDirectory(at: stem.deletingLastPathComponent(), withIntermediateDirectories: true)
    try AtomicFile.write([Data(figure.png())], to: png)
    return png
  }
}
