import Plots
import Testing

@Suite struct PNGTests {
  @Test func encodedCanvasDecodesToTheSamePixelsAs8BitRGB() throws {
    var canvas = Canvas(width: 7, height: 5)
    canvas.set(0, 0, .black)
    canvas.set(6, 4, RGB(10, 200, 30))
    canvas.fillRect(x: 2, y: 1, width: 3, height: 2, RGB(255, 0, 128))
    let bytes = try PNGEncoder.encode(canvas)
    #expect(try PNGDecoder.header(bytes) == PNGDecoder.Header(width: 7, height: 5, bitDepth: 8, colourType: 2))
    #expect(try PNGDecoder.decode(bytes) == canvas)
  }

  @Test func decoderRejectsBytesThatAreNotPNG() {
    #expect(throws: PNGError.self) { try PNGDecoder.decode(Array("not a png at all, just text".utf8)) }
    #expect(throws: PNGError.self) { try PNGDecoder.header([1, 2, 3]) }
  }
}
