import Foundation
import Plots
import Testing

@Suite struct FeatureMapGridTests {
  /// 70 channels of 6×5 values on scales from 0.001 to 1000, so per-tile normalisation matters.
  static func maps() -> FeatureMaps {
    var generator = SystemRandomNumberGenerator()
    let values = (0..<70).flatMap { channel in
      let scale = Float(pow(10, Double(channel % 7) - 3))
      return (0..<30).map { _ in Float.random(in: -1...1, using: &generator) * scale }
    }
    return FeatureMaps(channels: 70, height: 6, width: 5, values: values)
  }

  @Test func gridShows64TilesEachFromBlackToWhite() throws {
    let grid = FeatureMapGrid(Self.maps(), pixelScale: 2, gap: 3)
    #expect(grid.count == 64 && grid.rows == 8 && grid.columns == 8)
    let image = try PNGDecoder.decode(PNGEncoder.encode(grid.canvas()))
    #expect(image.width == 8 * 10 + 7 * 3 && image.height == 8 * 12 + 7 * 3)
    for tile in 0..<64 {
      let origin = grid.tileOrigin(tile)
      var levels: [UInt8] = []
      for y in origin.y..<origin.y + grid.tileHeight {
        for x in origin.x..<origin.x + grid.tileWidth {
          let pixel = image[x, y]
          #expect(pixel.r == pixel.g && pixel.g == pixel.b, "tile \(tile) is not grey")
          levels.append(pixel.r)
        }
      }
      #expect(levels.min() == 0 && levels.max() == 255, "tile \(tile)")
    }
    // The gaps stay white: the column between the first two tiles, the row under the first.
    for y in 0..<grid.height { #expect(image[grid.tileWidth + 1, y] == .white) }
    for x in 0..<grid.width { #expect(image[x, grid.tileHeight + 1] == .white) }
  }

  @Test func constantChannelIsBlackAndFewChannelsMakeOneShortRow() {
    let maps = FeatureMaps(channels: 3, height: 2, width: 2, values: [0, 0, 0, 0, 1, 2, 3, 4, 5, 5, 5, 5])
    let grid = FeatureMapGrid(maps, pixelScale: 1, gap: 1)
    #expect(grid.count == 3 && grid.columns == 3 && grid.rows == 1)
    let canvas = grid.canvas()
    #expect(canvas[0, 0] == .black && canvas[1, 1] == .black)
    #expect(canvas[3, 0] == .black && canvas[4, 1] == .white)
    #expect(canvas[6, 0] == .black && canvas[7, 1] == .black)
  }

  @Test func comparisonPlacesPanelsSideBySideWithCaption() throws {
    let maps = Self.maps()
    let figure = FeatureMapComparison(title: "Stage 0", panels: [
      .init(title: "Softmax", grid: FeatureMapGrid(maps)), .init(title: "Softmax + MFD", grid: FeatureMapGrid(maps)),
    ])
    let left = figure.gridOrigin(0), right = figure.gridOrigin(1)
    #expect(right.y == left.y && right.x >= left.x + FeatureMapGrid(maps).width)
    #expect(figure.captionLines.contains { $0.contains("own min (black)") })
    let image = try PNGDecoder.decode(figure.png())
    #expect(image[0, 0] == .white)
    #expect(image.width >= right.x + FeatureMapGrid(maps).width)
  }
}
