/// A `LineChart` drawn on a `Canvas`: grid, bands, frame and ticks, series, legend, labels, in
/// that order so the data lines are never covered by decoration.
extension LineChart {
  public func canvas() -> Canvas {
    let layout = ChartLayout(self)
    let scale = ChartLayout.textScale
    let textHeight = BitmapFont.height(scale: scale)
    var canvas = Canvas(width: width, height: height)
    let left = Double(layout.plotLeft), right = Double(layout.plotRight)
    let top = Double(layout.plotTop), bottom = Double(layout.plotBottom)

    for tick in layout.y.ticks {
      let row = layout.yPosition(tick)
      canvas.line(from: (left, row), to: (right, row), thickness: 1, .gridLine)
    }
    for tick in layout.x.ticks {
      let column = layout.xPosition(tick)
      canvas.line(from: (column, top), to: (column, bottom), thickness: 1, .gridLine)
    }
    for (index, series) in series.enumerated() where !series.band.isEmpty {
      canvas.fillPolygon(bandOutline(series.band, layout), bandColour(ofSeries: index))
    }

    canvas.strokeRect(x: layout.plotLeft, y: layout.plotTop, width: layout.plotRight - layout.plotLeft + 1,
                      height: layout.plotBottom - layout.plotTop + 1, .ink)
    for tick in layout.y.ticks {
      let row = Int(layout.yPosition(tick).rounded())
      canvas.fillRect(x: layout.plotLeft - ChartLayout.tickLength, y: row, width: ChartLayout.tickLength, height: 1, .ink)
      canvas.text(layout.y.label(tick), x: layout.plotLeft - ChartLayout.tickLength - 4,
                  y: row - textHeight / 2 + 1, scale: scale, anchor: .end)
    }
    for tick in layout.x.ticks {
      let column = Int(layout.xPosition(tick).rounded())
      canvas.fillRect(x: column, y: layout.plotBottom + 1, width: 1, height: ChartLayout.tickLength, .ink)
      canvas.text(layout.x.label(tick), x: column + 1, y: layout.xTickLabelY, scale: scale, anchor: .middle)
    }

    for (index, series) in series.enumerated() {
      let points = series.points.map { (x: layout.xPosition($0.x), y: layout.yPosition($0.y)) }
      canvas.polyline(points, thickness: layout.seriesThickness, colour(ofSeries: index))
      // A lone point (a one-epoch run) would be a speck: mark it with a square.
      if points.count == 1 {
        canvas.fillRect(x: Int(points[0].x.rounded()) - 3, y: Int(points[0].y.rounded()) - 3, width: 7, height: 7,
                        colour(ofSeries: index))
      }
    }

    for (index, series) in series.enumerated() {
      let entry = layout.legendEntry(index)
      if !series.band.isEmpty {
        canvas.fillRect(x: entry.swatchFrom, y: entry.centreY - 7, width: entry.swatchTo - entry.swatchFrom,
                        height: 15, bandColour(ofSeries: index))
      }
      canvas.line(from: (Double(entry.swatchFrom), Double(entry.centreY)), to: (Double(entry.swatchTo), Double(entry.centreY)),
                  thickness: layout.seriesThickness, colour(ofSeries: index))
      canvas.text(series.name, x: entry.textX, y: entry.centreY - textHeight / 2 + 1, scale: scale)
    }

    let plotCentre = (layout.plotLeft + layout.plotRight) / 2
    // Bold by overprinting one pixel to the right: the only weight the bitmap font has.
    canvas.text(title, x: layout.titleCentreX, y: layout.titleY, scale: scale, anchor: .middle)
    canvas.text(title, x: layout.titleCentreX + 1, y: layout.titleY, scale: scale, anchor: .middle)
    canvas.text(xLabel, x: plotCentre, y: layout.xLabelY, scale: scale, anchor: .middle)
    canvas.verticalText(yLabel, x: layout.yLabelX, centreY: (layout.plotTop + layout.plotBottom) / 2, scale: scale)
    for (index, line) in layout.noteLines.enumerated() {
      canvas.text(line, x: ChartLayout.margin, y: layout.noteY(index), scale: scale, RGB(90, 90, 90))
    }
    return canvas
  }

  /// The PNG file's bytes.
  public func png() throws(PNGError) -> [UInt8] { try PNGEncoder.encode(canvas()) }

  /// A band's polygon: the upper edge left to right, then the lower edge back.
  func bandOutline(_ band: [BandPoint], _ layout: ChartLayout) -> [(x: Double, y: Double)] {
    band.map { (layout.xPosition($0.x), layout.yPosition($0.high)) }
      + band.reversed().map { (layout.xPosition($0.x), layout.yPosition($0.low)) }
  }
}
