/// Where everything of a `LineChart` goes, in pixels from the top-left: computed once and used by
/// both renderers. Public so tests can ask where a value must land.
///
/// Plot-area coordinates are pixel centres: `xPosition(v)` is the column a value maps to (a
/// fractional one between columns), with the frame on the columns `plotLeft` and `plotRight`.
public struct ChartLayout: Sendable {
  /// Text scale of the bitmap font for everything (5×7 glyphs doubled: 10×14 pixels).
  public static let textScale = 2
  static let margin = 20
  static let tickLength = 6
  static let gap = 10
  /// Legend row height and its line swatch's length.
  static let legendRow = 26
  static let swatchLength = 32

  public let x: AxisScale
  public let y: AxisScale
  public let plotLeft: Int
  public let plotRight: Int
  public let plotTop: Int
  public let plotBottom: Int
  /// The legend box's top-left corner and size.
  public let legendX: Int
  public let legendY: Int
  public let legendWidth: Int
  public let legendHeight: Int
  /// Thickness of series lines.
  public let seriesThickness = 2.5

  public init(_ chart: LineChart) {
    let allX = chart.series.flatMap { $0.points.map(\.x) + $0.band.map(\.x) }
    let allY = chart.series.flatMap { $0.points.map(\.y) + $0.band.flatMap { [$0.low, $0.high] } }
    x = chart.xRange.map { AxisScale(fixed: $0) }
      ?? AxisScale(covering: allX, integerSteps: allX.allSatisfy { $0 == $0.rounded() })
    y = chart.yRange.map { AxisScale(fixed: $0) } ?? AxisScale(covering: allY)
    let scale = Self.textScale
    let textHeight = BitmapFont.height(scale: scale)
    let yAxis = y
    let tickLabelWidth = yAxis.ticks.map { BitmapFont.width(of: yAxis.label($0), scale: scale) }.max() ?? 0
    plotLeft = Self.margin + textHeight + Self.gap + tickLabelWidth + Self.tickLength + 4
    plotTop = Self.margin + textHeight + 2 * Self.gap
    var bottom = chart.height - Self.margin - textHeight - Self.gap - textHeight - Self.tickLength - 4
    if chart.note != nil { bottom -= textHeight + Self.gap }
    plotBottom = bottom
    let nameWidth = chart.series.map { BitmapFont.width(of: $0.name, scale: scale) }.max() ?? 0
    legendWidth = 12 + Self.swatchLength + 10 + nameWidth + 12
    legendHeight = 8 + chart.series.count * Self.legendRow + 4
    legendX = chart.width - Self.margin - legendWidth
    legendY = plotTop
    plotRight = legendX - 2 * Self.gap
    precondition(plotRight - plotLeft >= 40 && plotBottom - plotTop >= 40,
                 "chart \(chart.width)×\(chart.height) is too small for its labels and legend")
  }

  /// The column `value` maps to.
  public func xPosition(_ value: Double) -> Double {
    Double(plotLeft) + x.fraction(value) * Double(plotRight - plotLeft)
  }

  /// The row `value` maps to (up is larger).
  public func yPosition(_ value: Double) -> Double {
    Double(plotBottom) - y.fraction(value) * Double(plotBottom - plotTop)
  }

  /// Top of the title text.
  public var titleY: Int { Self.margin }
  /// Top of the x tick labels, of the x-axis label and of the note.
  public var xTickLabelY: Int { plotBottom + Self.tickLength + 4 }
  public var xLabelY: Int { xTickLabelY + BitmapFont.height(scale: Self.textScale) + Self.gap }
  public var noteY: Int { xLabelY + BitmapFont.height(scale: Self.textScale) + Self.gap }
  /// Left edge of the rotated y-axis label.
  public var yLabelX: Int { Self.margin }

  /// The centre row of legend entry `index` and its swatch's horizontal extent.
  public func legendEntry(_ index: Int) -> (centreY: Int, swatchFrom: Int, swatchTo: Int, textX: Int) {
    let centre = legendY + 8 + index * Self.legendRow + Self.legendRow / 2 - 2
    let from = legendX + 12
    return (centre, from, from + Self.swatchLength, from + Self.swatchLength + 10)
  }
}
