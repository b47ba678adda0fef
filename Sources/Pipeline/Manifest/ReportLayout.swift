/// An axis a report lays out: one of the grid's, or the metrics themselves (Table I's five
/// stages, Table VII's time and memory), so several metrics of one run sit side by side.
public enum ReportAxis: String, Sendable, CaseIterable, Codable {
  case model, dataset, loss, setting, metric

  public init(_ axis: GridAxis) { self = ReportAxis(rawValue: axis.rawValue)! }

  /// nil for `metric`.
  public var gridAxis: GridAxis? { GridAxis(rawValue: rawValue) }
}

/// One value a table shows per run: a key of the evaluate step's `metrics.json`, and its heading.
public struct ReportMetric: Sendable, Equatable {
  /// `top1_accuracy` (in %), `mean_abs_correlation_S0`, `seconds_per_epoch`, …
  public let key: String
  public let label: String

  public init(key: String, label: String? = nil) {
    self.key = key
    self.label = label ?? key
  }
}

/// How a table is laid out: which axes make rows and columns, the metrics shown and their format.
public struct ReportLayout: Sendable, Equatable {
  /// Axes whose value combinations form the rows, outermost first.
  public let rows: [ReportAxis]
  /// Axes whose value combinations form the column groups.
  public let columns: [ReportAxis]
  /// One or more; with several, `metric` is one of the row or column axes.
  public let metrics: [ReportMetric]
  /// Digits after the decimal point for means, stds, published values and differences.
  public let decimals: Int
  /// Display names for axis values (`resnext50_32x4d` → `ResNeXt50`); loss columns use `LossSpec.label`.
  public let labels: [String: String]

  public func label(for value: String) -> String { labels[value] ?? value }

  public var metricKeys: [String] { metrics.map(\.key) }
}

/// A report cell: one grid cell and one of the table's metrics.
public struct ReportCellKey: Sendable, Hashable, CustomStringConvertible {
  public let cell: CellKey
  public let metric: String

  public init(_ cell: CellKey, metric: String) {
    self.cell = cell
    self.metric = metric
  }

  public var description: String { "\(cell) \(metric)" }
}

/// The paper's value of every cell, and how far ours may be from it.
public struct PublishedValues: Sendable, Equatable {
  public struct Entry: Sendable, Equatable {
    public let value: Double
    /// Largest accepted |ours − paper|, in the metric's unit.
    public let tolerance: Double
  }

  public let entries: [ReportCellKey: Entry]
  /// false for numbers measured on other hardware (Table VII's GPU seconds and MiB): shown beside
  /// ours, never held against them.
  public let compared: Bool

  public subscript(cell: ReportCellKey) -> Entry? { entries[cell] }
}
