/// The first `count` channels of a `FeatureMaps` as a grid of greyscale tiles, the way the paper
/// shows stage outputs (Figs. 1, 4, 5: 64 channels, 8 × 8).
///
/// Each tile is normalised to its own minimum (black) and maximum (white): channels differ in
/// scale by orders of magnitude, and a shared scale would leave most tiles uniformly black. A
/// constant channel (all zeros after a ReLU, the "all-zero-valued feature maps" the paper
/// discusses) has no range and is drawn black. `caption` says this on the figure itself.
public struct FeatureMapGrid: Sendable {
  public let maps: FeatureMaps
  /// Channels shown: min(requested, available), from channel 0.
  public let count: Int
  public let columns: Int
  /// Pixels per feature-map element (nearest-neighbour upscaling, so every value stays one
  /// flat block and no interpolation invents structure).
  public let pixelScale: Int
  /// Blank pixels between tiles.
  public let gap: Int
  public static let gapColour = RGB.white

  /// - pixelScale: nil picks the largest whole factor that keeps a tile at most 64 pixels wide
  ///   (at least 1).
  public init(_ maps: FeatureMaps, count: Int = 64, columns: Int = 8, pixelScale: Int? = nil, gap: Int = 3) {
    precondition(count > 0 && columns > 0 && gap >= 0, "a grid needs a positive count and column count")
    self.maps = maps
    self.count = min(count, maps.channels)
    self.columns = min(columns, self.count)
    self.pixelScale = pixelScale ?? max(1, 64 / max(maps.width, maps.height))
    self.gap = gap
  }

  public var rows: Int { (count + columns - 1) / columns }
  public var tileWidth: Int { maps.width * pixelScale }
  public var tileHeight: Int { maps.height * pixelScale }
  public var width: Int { columns * tileWidth + (columns - 1) * gap }
  public var height: Int { rows * tileHeight + (rows - 1) * gap }

  /// The top-left pixel of tile `index` (channel `index`) within the grid.
  public func tileOrigin(_ index: Int) -> (x: Int, y: Int) {
    ((index % columns) * (tileWidth + gap), (index / columns) * (tileHeight + gap))
  }

  /// What a reader must know to read the tiles, as short lines for under the figure.
  public var caption: [String] {
    ["channels 0-\(count - 1) of \(maps.channels), \(maps.height)x\(maps.width) each, channel order row by row",
     "each tile scaled to its own min (black) .. max (white); constant maps are black"]
  }

  /// The grid on a white canvas of exactly `width` × `height`.
  public func canvas() -> Canvas {
    var canvas = Canvas(width: width, height: height, background: Self.gapColour)
    for index in 0..<count {
      let origin = tileOrigin(index)
      let plane = maps.plane(index)
      let low = plane.min()!, high = plane.max()!
      let range = high - low
      for row in 0..<maps.height {
        for column in 0..<maps.width {
          let value = plane[plane.startIndex + row * maps.width + column]
          let level = range > 0 ? UInt8(((value - low) / range * 255).rounded()) : 0
          canvas.fillRect(x: origin.x + column * pixelScale, y: origin.y + row * pixelScale,
                          width: pixelScale, height: pixelScale, RGB(grey: level))
        }
      }
    }
    return canvas
  }
}
