/// A `LineChart` as SVG, from the same `ChartLayout` as the raster: one `<polyline>` per series
/// (id `series-<n>`) and one `<polygon>` per band (id `band-<n>`), so the file stays editable.
extension LineChart {
  public func svg() -> String {
    let layout = ChartLayout(self)
    let scale = ChartLayout.textScale
    let textHeight = Double(BitmapFont.height(scale: scale))
    // The font's cap height is 7 of its 8 rows; a monospace font of this size has about that.
    let fontSize = 9.0 * Double(scale)
    let baseline = 7.0 * Double(scale)
    // Raster pixel i covers [i, i+1): its centre is i + 0.5 in SVG user units.
    func c(_ v: Double) -> Double { v + 0.5 }
    var svg = SVGDocument(width: width, height: height)
    svg.rect(x: 0, y: 0, width: Double(width), height: Double(height), fill: .white)
    let left = c(Double(layout.plotLeft)), right = c(Double(layout.plotRight))
    let top = c(Double(layout.plotTop)), bottom = c(Double(layout.plotBottom))

    for tick in layout.y.ticks {
      let row = c(layout.yPosition(tick))
      svg.line(x1: left, y1: row, x2: right, y2: row, stroke: .gridLine)
    }
    for tick in layout.x.ticks {
      let column = c(layout.xPosition(tick))
      svg.line(x1: column, y1: top, x2: column, y2: bottom, stroke: .gridLine)
    }
    for (index, series) in series.enumerated() where !series.band.isEmpty {
      svg.polygon(bandOutline(series.band, layout).map { (c($0.x), c($0.y)) }, fill: bandColour(ofSeries: index),
                  id: "band-\(index)")
    }

    svg.rect(x: left, y: top, width: right - left, height: bottom - top, fill: nil, stroke: .ink)
    for tick in layout.y.ticks {
      let row = c(layout.yPosition(tick).rounded())
      svg.line(x1: left - Double(ChartLayout.tickLength), y1: row, x2: left, y2: row, stroke: .ink)
      svg.text(layout.y.label(tick), x: left - Double(ChartLayout.tickLength) - 4,
               y: row - textHeight / 2 + baseline, size: fontSize, anchor: .end)
    }
    for tick in layout.x.ticks {
      let column = c(layout.xPosition(tick).rounded())
      svg.line(x1: column, y1: bottom, x2: column, y2: bottom + Double(ChartLayout.tickLength), stroke: .ink)
      svg.text(layout.x.label(tick), x: column, y: Double(layout.xTickLabelY) + baseline, size: fontSize, anchor: .middle)
    }

    for (index, series) in series.enumerated() {
      let points = series.points.map { (x: c(layout.xPosition($0.x)), y: c(layout.yPosition($0.y))) }
      svg.polyline(points, stroke: colour(ofSeries: index), strokeWidth: layout.seriesThickness, id: "series-\(index)")
      if points.count == 1 {
        svg.rect(x: points[0].x - 3.5, y: points[0].y - 3.5, width: 7, height: 7, fill: colour(ofSeries: index))
      }
    }

    for (index, series) in series.enumerated() {
      let entry = layout.legendEntry(index)
      let centre = c(Double(entry.centreY))
      if !series.band.isEmpty {
        svg.rect(x: Double(entry.swatchFrom), y: centre - 7.5, width: Double(entry.swatchTo - entry.swatchFrom),
                 height: 15, fill: bandColour(ofSeries: index))
      }
      svg.line(x1: Double(entry.swatchFrom), y1: centre, x2: Double(entry.swatchTo), y2: centre,
               stroke: colour(ofSeries: index), strokeWidth: layout.seriesThickness)
      svg.text(series.name, x: Double(entry.textX), y: Double(entry.centreY) - textHeight / 2 + 1 + baseline, size: fontSize)
    }

    let plotCentre = Double(layout.plotLeft + layout.plotRight) / 2
    svg.text(title, x: Double(layout.titleCentreX), y: Double(layout.titleY) + baseline, size: fontSize, anchor: .middle,
             bold: true)
    svg.text(xLabel, x: plotCentre, y: Double(layout.xLabelY) + baseline, size: fontSize, anchor: .middle)
    let middle = Double(layout.plotTop + layout.plotBottom) / 2
    svg.text(yLabel, x: Double(layout.yLabelX) + baseline, y: middle, size: fontSize, anchor: .middle, rotate: -90)
    for (index, line) in layout.noteLines.enumerated() {
      svg.text(line, x: Double(ChartLayout.margin), y: Double(layout.noteY(index)) + baseline, size: fontSize,
               fill: RGB(90, 90, 90))
    }
    return svg.render()
  }
}
