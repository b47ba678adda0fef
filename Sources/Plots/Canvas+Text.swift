/// Text from `BitmapFont`, scaled by whole pixels so glyphs stay crisp.
extension Canvas {
  /// How a text's anchor point relates to its box.
  public enum TextAnchor: Sendable {
    case start, middle, end
  }

  /// Draws `text` on one line with its top edge at `y` and, per `anchor`, its left edge, centre or
  /// right edge at `x`.
  public mutating func text(_ text: String, x: Int, y: Int, scale: Int = 1, anchor: TextAnchor = .start,
                            _ colour: RGB = .ink) {
    let width = BitmapFont.width(of: text, scale: scale)
    var left = x
    switch anchor {
    case .start: break
    case .middle: left = x - width / 2
    case .end: left = x - width
    }
    for (index, character) in text.enumerated() {
      let rows = BitmapFont.rows(of: character)
      let originX = left + index * BitmapFont.advance * scale
      for (row, bits) in rows.enumerated() {
        for column in 0..<BitmapFont.glyphWidth where bits & (1 << (BitmapFont.glyphWidth - 1 - column)) != 0 {
          fillRect(x: originX + column * scale, y: y + row * scale, width: scale, height: scale, colour)
        }
      }
    }
  }

  /// Draws `text` rotated 90° anticlockwise (reading bottom to top, as a y-axis label), with its
  /// left edge (in reading direction, the top of the glyphs) at `x` and its centre at `centreY`.
  public mutating func verticalText(_ text: String, x: Int, centreY: Int, scale: Int = 1, _ colour: RGB = .ink) {
    let length = BitmapFont.width(of: text, scale: scale)
    let bottom = centreY + length / 2
    for (index, character) in text.enumerated() {
      let rows = BitmapFont.rows(of: character)
      let along = index * BitmapFont.advance * scale
      for (row, bits) in rows.enumerated() {
        for column in 0..<BitmapFont.glyphWidth where bits & (1 << (BitmapFont.glyphWidth - 1 - column)) != 0 {
          // Glyph (column, row) → canvas (x + row, bottom − column): a quarter turn anticlockwise.
          fillRect(x: x + row * scale, y: bottom - along - (column + 1) * scale, width: scale, height: scale, colour)
        }
      }
    }
  }
}
