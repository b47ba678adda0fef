/// A line chart as data: titled axes, several series, optional min–max bands. The same
/// description renders to a PNG raster (`LineChart+Raster`) and to SVG (`LineChart+SVG`) through
/// one shared `ChartLayout`, so the two files show the same ticks, positions and colours.
public struct LineChart: Sendable {
  public var title: String
  public var xLabel: String
  public var yLabel: String
  public var series: [Series]
  /// Axis ranges; nil takes the data's extent widened to whole tick steps. Values outside a given
  /// range are clamped to its edge (drawn on the frame, not dropped).
  public var xRange: ClosedRange<Double>?
  public var yRange: ClosedRange<Double>?
  /// A line of small print under the plot: how the series were aggregated, n, sources.
  public var note: String?
  /// Output size in pixels (PNG) and user units (SVG).
  public var width: Int
  public var height: Int

  public init(title: String, xLabel: String, yLabel: String, series: [Series],
              xRange: ClosedRange<Double>? = nil, yRange: ClosedRange<Double>? = nil, note: String? = nil,
              width: Int = 960, height: Int = 560) {
    self.title = title
    self.xLabel = xLabel
    self.yLabel = yLabel
    self.series = series
    self.xRange = xRange
    self.yRange = yRange
    self.note = note
    self.width = width
    self.height = height
  }

  /// One curve: points joined in the given order, and optionally a shaded band behind it.
  public struct Series: Sendable {
    public var name: String
    /// nil takes the next colour of `RGB.palette` by the series' position.
    public var colour: RGB?
    public var points: [Point]
    /// The band's lower and upper edge at each x (e.g. min and max over seeds); empty for none.
    public var band: [BandPoint]

    public init(name: String, colour: RGB? = nil, points: [Point], band: [BandPoint] = []) {
      self.name = name
      self.colour = colour
      self.points = points
      self.band = band
    }
  }

  public struct Point: Sendable, Equatable {
    public var x: Double
    public var y: Double
    public init(x: Double, y: Double) {
      self.x = x
      self.y = y
    }
  }

  public struct BandPoint: Sendable, Equatable {
    public var x: Double
    public var low: Double
    public var high: Double
    public init(x: Double, low: Double, high: Double) {
      self.x = x
      self.low = low
      self.high = high
    }
  }

  /// The colour series `index` is drawn in.
  public func colour(ofSeries index: Int) -> RGB {
    series[index].colour ?? RGB.palette[index % RGB.palette.count]
  }

  /// A band's fill: the series colour three quarters of the way to white, so the mean line on top
  /// stays the strongest mark and overlapping bands remain readable.
  public func bandColour(ofSeries index: Int) -> RGB {
    colour(ofSeries: index).mixed(with: .white, fraction: 0.75)
  }
}
