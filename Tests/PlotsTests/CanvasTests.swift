import Plots
import Testing

@Suite struct CanvasTests {
  @Test func thickHorizontalLineCoversRowsWithinHalfItsThickness() {
    var canvas = Canvas(width: 20, height: 20)
    canvas.line(from: (2, 10), to: (17, 10), thickness: 2.5, .black)
    for x in 2...17 {
      #expect(canvas[x, 9] == .black && canvas[x, 10] == .black && canvas[x, 11] == .black)
      #expect(canvas[x, 8] == .white && canvas[x, 12] == .white)
    }
  }

  @Test func thinDiagonalLineHasNoGaps() {
    var canvas = Canvas(width: 30, height: 30)
    canvas.line(from: (0, 0), to: (29, 13), thickness: 1, .black)
    for x in 0..<30 { #expect((0..<30).contains { canvas[x, $0] == .black }, "column \(x) empty") }
  }

  @Test func polygonFillsItsInteriorOnly() {
    var canvas = Canvas(width: 20, height: 20)
    canvas.fillPolygon([(5, 5), (14, 5), (14, 14), (5, 14)], .black)
    #expect(canvas[5, 5] == .black && canvas[10, 10] == .black && canvas[14, 13] == .black)
    #expect(canvas[4, 10] == .white && canvas[15, 10] == .white && canvas[10, 15] == .white)
  }

  @Test func fontHasAGlyphForEveryPrintableASCIICharacter() {
    let missing = BitmapFont.rows(of: "\u{1}")
    for scalar in 33...126 {
      let character = Character(Unicode.Scalar(UInt8(scalar)))
      #expect(BitmapFont.rows(of: character) != missing, "no glyph for \(character)")
    }
  }

  @Test func textIsDrawnInsideItsMeasuredBox() {
    var canvas = Canvas(width: 100, height: 30)
    canvas.text("Epoch 10", x: 50, y: 5, scale: 2, anchor: .middle, .black)
    let width = BitmapFont.width(of: "Epoch 10", scale: 2)
    var inked: [Int] = []
    for y in 0..<30 { for x in 0..<100 where canvas[x, y] == .black { inked.append(x) } }
    #expect(inked.min()! >= 50 - width / 2 && inked.max()! < 50 - width / 2 + width)
  }
}
