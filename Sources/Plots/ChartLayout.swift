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
  /// Legend row height, its line swatch's length and the space between entries.
  static let legendRow = 24
  static let swatchLength = 32
  static let legendSpacing = 36

  public let x: AxisScale
  public let y: AxisScale
  public let plotLeft: Int
  public let plotRight: Int
  public let plotTop: Int
  public let plotBottom: Int
  /// Legend entries in one or more rows between the title and the plot, so the plot keeps the
  /// chart's full width: each entry's centre row, swatch extent and text start.
  public let legendEntries: [(centreY: Int, swatchFrom: Int, swatchTo: Int, textX: Int)]
  /// Thickness of series lines.
  public let seriesThickness = 2.5
  /// The note, word-wrapped to the chart's width.
  public let noteLines: [String]
  /// Centre of the title: the chart's centre, moved right if the title would start in the margin.
  public let titleCentreX: Int

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
    // The last x tick label is centred on the frame: leave it half a label of room.
    plotRight = chart.width - Self.margin - 2 * BitmapFont.width(of: "0", scale: scale)
    var entries: [(centreY: Int, swatchFrom: Int, swatchTo: Int, textX: Int)] = []
    var entryX = plotLeft, row = 0
    let firstRowCentre = Self.margin + textHeight + Self.gap + Self.legendRow / 2
    for series in chart.series {
      let entryWidth = Self.swatchLength + 10 + BitmapFont.width(of: series.name, scale: scale)
      if entryX > plotLeft, entryX + entryWidth > plotRight {
        entryX = plotLeft
        row += 1
      }
      let centre = firstRowCentre + row * Self.legendRow
      entries.append((centre, entryX, entryX + Self.swatchLength, entryX + Self.swatchLength + 10))
      entryX += entryWidth + Self.legendSpacing
    }
    legendEntries = entries
    let legendRows = chart.series.isEmpty ? 0 : row + 1
    plotTop = Self.margin + textHeight + Self.gap + legendRows * Self.legendRow + Self.gap
    var bottom = chart.height - Self.margin - textHeight - Self.gap - textHeight - Self.tickLength - 4
    noteLines = chart.note.map { Self.wrap($0, width: chart.width - 2 * Self.margin, scale: scale) } ?? []
    bottom -= noteLines.count * (textHeight + Self.gap / 2) + (noteLines.isEmpty ? 0 : Self.gap / 2)
    titleCentreX = max(chart.width / 2, Self.margin + BitmapFont.width(of: chart.title, scale: scale) / 2)
    plotBottom = bottom
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
  /// Top of note line `index`.
  public func noteY(_ index: Int) -> Int { noteY + index * (BitmapFont.height(scale: Self.textScale) + Self.gap / 2) }
  /// Left edge of the rotated y-axis label.
  public var yLabelX: Int { Self.margin }

  /// Legend entry `index` (see `legendEntries`).
  public func legendEntry(_ index: Int) -> (centreY: Int, swatchFrom: Int, swatchTo: Int, textX: Int) {
    legendEntries[index]
  }

  /// `text` split at spaces into lines at most `width` pixels wide (a longer word stays whole).
  static func wrap(_ text: String, width: Int, scale: Int) -> [String] {
    var lines: [String] = []
    var line = ""
    for word in text.split(separator: " ") {
      let candidate = line.isEmpty ? String(word) : line + " " + word
      if BitmapFont.width(of: candidate, scale: scale) <= width || line.isEmpty {
        line = candidate
      } else {
        lines.append(line)
        line = String(word)
      }
    }
    if !line.isEmpty { lines.append(line) }
    return lines
  }
}
