import AtomicFiles
import Foundation
import Models
import Plots
import Training

/// Fig. 6: test accuracy per epoch, one curve per loss.
///
/// Runs of the same loss (different seeds) are drawn as their mean per epoch with a shaded band
/// from the lowest to the highest seed: the mean is the number the tables report, and the band
/// shows the whole seed spread without the clutter of one line per seed (which stops being
/// readable past three seeds and two losses). The figure's note states n and the seeds. At an
/// epoch only some runs reached (runs of different lengths), the mean and band are over those runs.
public enum AccuracyCurves {
  /// One curve of the figure: a loss and the runs averaged into it.
  public struct Curve: Sendable {
    public var loss: LossLabel
    public var seeds: [UInt64]
    /// (epoch, mean, min, max) of test accuracy in percent.
    public var epochs: [Int]
    public var mean: [Double]
    public var low: [Double]
    public var high: [Double]
  }

  /// Groups `runs` by loss and averages each group per epoch.
  /// - Throws: `FigureError.incompatibleRuns` when the runs are not one comparison: different
  ///   architectures, class counts or widths, or the same loss and seed twice (a run given twice).
  public static func curves(_ runs: [TrainedRun]) throws -> [Curve] {
    guard let first = runs.first else { throw FigureError.incompatibleRuns("no runs given") }
    let reference = first.result.configuration.model
    for run in runs {
      let model = run.result.configuration.model
      guard model.architecture == reference.architecture, model.classes == reference.classes,
            model.widthMultiplier == reference.widthMultiplier else {
        throw FigureError.incompatibleRuns(
          "\(first.folder.path) is \(describe(reference)) but \(run.folder.path) is \(describe(model))")
      }
    }
    let groups = Dictionary(grouping: runs, by: \.loss)
    return try groups.keys.sorted().map { loss in
      let members = groups[loss]!.sorted { $0.result.configuration.seed < $1.result.configuration.seed }
      let seeds = members.map(\.result.configuration.seed)
      if let repeated = seeds.first(where: { seed in seeds.filter { $0 == seed }.count > 1 }) {
        let paths = members.filter { $0.result.configuration.seed == repeated }.map(\.folder.path)
        throw FigureError.incompatibleRuns("\(loss.text) seed \(repeated) appears twice: \(paths.joined(separator: ", "))")
      }
      var byEpoch: [Int: [Double]] = [:]
      for run in members {
        for row in run.result.history { byEpoch[row.epoch, default: []].append(row.testAccuracy * 100) }
      }
      let epochs = byEpoch.keys.sorted()
      return Curve(loss: loss, seeds: seeds, epochs: epochs,
                   mean: epochs.map { byEpoch[$0]!.reduce(0, +) / Double(byEpoch[$0]!.count) },
                   low: epochs.map { byEpoch[$0]!.min()! }, high: epochs.map { byEpoch[$0]!.max()! })
    }
  }

  /// The chart of `curves`: bands only for curves with more than one seed; the note gives n and
  /// the seeds per loss.
  public static func chart(_ curves: [Curve], title: String) -> LineChart {
    let series = curves.map { curve in
      LineChart.Series(
        name: curve.seeds.count > 1 ? "\(curve.loss.text), n=\(curve.seeds.count)" : curve.loss.text,
        points: zip(curve.epochs, curve.mean).map { LineChart.Point(x: Double($0), y: $1) },
        band: curve.seeds.count > 1
          ? curve.epochs.indices.map { LineChart.BandPoint(x: Double(curve.epochs[$0]), low: curve.low[$0], high: curve.high[$0]) }
          : [])
    }
    let seedText = curves.map { "\($0.loss.text): seeds \($0.seeds.map(String.init).joined(separator: ","))" }
      .joined(separator: "; ")
    let aggregation = curves.contains { $0.seeds.count > 1 } ? "lines: mean over seeds, bands: min-max. " : ""
    return LineChart(title: title, xLabel: "epoch", yLabel: "test accuracy (%)", series: series,
                     note: aggregation + seedText)
  }

  /// A default title from the runs' common network: "Test accuracy per epoch: resnet50, 100 classes".
  public static func defaultTitle(_ runs: [TrainedRun]) -> String {
    guard let model = runs.first?.result.configuration.model else { return "Test accuracy per epoch" }
    return "Test accuracy per epoch: \(describe(model))"
  }

  /// Reads the runs at `paths` (train output folders or `training.json` files) and writes
  /// `<stem>.png` and `<stem>.svg`.
  /// - Returns: the two files written.
  @discardableResult
  public static func write(runs paths: [URL], stem: URL, title: String? = nil) throws -> (png: URL, svg: URL) {
    let runs = try paths.map { try TrainedRun(at: $0) }
    let chart = chart(try curves(runs), title: title ?? defaultTitle(runs))
    let png = stem.appendingPathExtension("png"), svg = stem.appendingPathExtension("svg")
    try FileManager.default.createDirectory(at: stem.deletingLastPathComponent(), withIntermediateDirectories: true)
    try AtomicFile.write([Data(chart.png())], to: png)
    try AtomicFile.write([Data(chart.svg().utf8)], to: svg)
    return (png, svg)
  }

  static func describe(_ model: Models.ModelConfiguration) -> String {
    let width = model.widthMultiplier == 1 ? "" : ", width x\(String(format: "%g", model.widthMultiplier))"
    return "\(model.architecture.rawValue), \(model.classes) classes\(width)"
  }
}
