import Foundation
import Plots
import Testing

@Suite struct LineChartTests {
  /// Two flat series at 50 % and 80 %, the second with a band from 70 % to 90 %.
  static let chart = LineChart(
    title: "Test accuracy per epoch", xLabel: "epoch", yLabel: "test accuracy (%)",
    series: [
      .init(name: "Softmax", points: (1...10).map { .init(x: Double($0), y: 50) }),
      .init(name: "Softmax + MFD (λ=1)", points: (1...10).map { .init(x: Double($0), y: 80) },
            band: (1...10).map { .init(x: Double($0), low: 70, high: 90) }),
    ],
    yRange: 0...100, note: "a note")

  @Test func pngIsRGBWithAWhiteBackground() throws {
    let bytes = try Self.chart.png()
    #expect(try PNGDecoder.header(bytes) == .init(width: 960, height: 560, bitDepth: 8, colourType: 2))
    let image = try PNGDecoder.decode(bytes)
    for (x, y) in [(0, 0), (959, 0), (0, 559), (959, 559), (480, 2)] { #expect(image[x, y] == .white) }
  }

  @Test func horizontalSeriesLandsOnTheRowOfItsValue() throws {
    let image = try PNGDecoder.decode(Self.chart.png())
    let layout = ChartLayout(Self.chart)
    let first = Self.chart.colour(ofSeries: 0), second = Self.chart.colour(ofSeries: 1)
    let row50 = Int(layout.yPosition(50).rounded()), row80 = Int(layout.yPosition(80).rounded())
    #expect(row50 == (layout.plotTop + layout.plotBottom) / 2 || row50 == (layout.plotTop + layout.plotBottom + 1) / 2)
    let from = Int(layout.xPosition(1).rounded()) + 2, to = Int(layout.xPosition(10).rounded()) - 2
    for x in from...to {
      #expect(image[x, row50] == first, "column \(x)")
      #expect(image[x, row80] == second, "column \(x)")
      // Nowhere else in the column: the 50 % line is 3 pixels thick.
      #expect(image[x, row50 - 3] != first && image[x, row50 + 3] != first)
    }
  }

  @Test func bandIsFilledBetweenItsEdgesInTheSeriesTint() throws {
    let image = try PNGDecoder.decode(Self.chart.png())
    let layout = ChartLayout(Self.chart)
    let x = Int(layout.xPosition(5.5).rounded())
    let tint = Self.chart.bandColour(ofSeries: 1)
    #expect(image[x, Int(layout.yPosition(75).rounded())] == tint)
    #expect(image[x, Int(layout.yPosition(88).rounded())] == tint)
    #expect(image[x, Int(layout.yPosition(93).rounded())] != tint)
    #expect(image[x, Int(layout.yPosition(65).rounded())] != tint)
  }

  @Test func legendShowsEachSeriesColour() throws {
    let image = try PNGDecoder.decode(Self.chart.png())
    let layout = ChartLayout(Self.chart)
    for index in 0..<2 {
      let entry = layout.legendEntry(index)
      #expect(image[(entry.swatchFrom + entry.swatchTo) / 2, entry.centreY] == Self.chart.colour(ofSeries: index))
    }
  }

  @Test func svgParsesAsXMLWithOnePolylinePerSeries() throws {
    let svg = Self.chart.svg()
    let elements = try SVGElements(svg)
    #expect(elements.root == "svg")
    #expect(elements.polylineIDs == ["series-0", "series-1"])
    #expect(elements.polygonIDs == ["band-1"])
    #expect(elements.texts.contains("Softmax + MFD (λ=1)"))
    #expect(elements.texts.contains("test accuracy (%)"))
  }

  @Test func svgEscapesMarkupInNames() throws {
    var chart = Self.chart
    chart.series[0].name = "a < b & \"c\""
    let elements = try SVGElements(chart.svg())
    #expect(elements.texts.contains("a < b & \"c\""))
  }
}
