/// How a table is laid out: which axes make rows and columns, the metric shown and its format.
public struct ReportLayout: Sendable, Equatable {
  /// Axes whose value combinations form the rows, outermost first.
  public let rows: [GridAxis]
  /// Axes whose value combinations form the column groups.
  public let columns: [GridAxis]
  /// The key in each evaluate step's `metrics.json` (e.g. `top1_accuracy`, in %).
  public let metric: String
  /// Digits after the decimal point for means, stds, published values and differences.
  public let decimals: Int
  /// Display names for axis values (`resnext50_32x4d` → `ResNeXt50`); loss columns use `LossSpec.label`.
  public let labels: [String: String]

  public func label(for value: String) -> String { labels[value] ?? value }
}

/// The paper's value of every cell, and how far ours may be from it.
public struct PublishedValues: Sendable, Equatable {
  public struct Entry: Sendable, Equatable {
    public let value: Double
    /// Largest accepted |ours − paper|, in the metric's unit.
    public let tolerance: Double
  }

  public let entries: [CellKey: Entry]

  public subscript(cell: CellKey) -> Entry? { entries[cell] }
}
