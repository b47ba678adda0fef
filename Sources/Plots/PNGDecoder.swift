import CPNG

/// Reads a PNG back into a `Canvas` (libpng's simplified API, converting to 8-bit RGB) and
/// reports the file's own header fields: the tests check what was written, not what was meant.
public enum PNGDecoder {
  /// The IHDR fields of a PNG file.
  public struct Header: Sendable, Equatable {
    public var width: Int
    public var height: Int
    public var bitDepth: Int
    /// PNG colour type: 0 grey, 2 RGB, 3 palette, 4 grey + alpha, 6 RGBA.
    public var colourType: Int

    public init(width: Int, height: Int, bitDepth: Int, colourType: Int) {
      self.width = width
      self.height = height
      self.bitDepth = bitDepth
      self.colourType = colourType
    }
  }

  /// The header, read from the bytes directly (signature, then the IHDR chunk, which the PNG
  /// specification requires to come first).
  public static func header(_ bytes: [UInt8]) throws(PNGError) -> Header {
    let signature: [UInt8] = [137, 80, 78, 71, 13, 10, 26, 10]
    guard bytes.count >= 33, Array(bytes[0..<8]) == signature, Array(bytes[12..<16]) == Array("IHDR".utf8) else {
      throw PNGError(message: "not a PNG file (bad signature or no IHDR first)")
    }
    func bigEndian(_ at: Int) -> Int { bytes[at..<at + 4].reduce(0) { $0 << 8 | Int($1) } }
    return Header(width: bigEndian(16), height: bigEndian(20), bitDepth: Int(bytes[24]), colourType: Int(bytes[25]))
  }

  /// The image as 8-bit RGB (libpng converts other formats; alpha is composited on nothing).
  public static func decode(_ bytes: [UInt8]) throws(PNGError) -> Canvas {
    var image = png_image()
    image.version = UInt32(PNG_IMAGE_VERSION)
    let begun = bytes.withUnsafeBytes { png_image_begin_read_from_memory(&image, $0.baseAddress, $0.count) }
    guard begun != 0 else { throw PNGError(message: message(&image)) }
    image.format = UInt32(PNG_FORMAT_RGB)
    let width = Int(image.width), height = Int(image.height)
    var pixels = [UInt8](repeating: 0, count: width * height * 3)
    let finished = pixels.withUnsafeMutableBytes {
      png_image_finish_read(&image, nil, $0.baseAddress, Int32(width * 3), nil)
    }
    guard finished != 0 else { throw PNGError(message: message(&image)) }
    png_image_free(&image)
    var canvas = Canvas(width: width, height: height)
    for y in 0..<height {
      for x in 0..<width {
        let i = (y * width + x) * 3
        canvas.set(x, y, RGB(pixels[i], pixels[i + 1], pixels[i + 2]))
      }
    }
    return canvas
  }

  private static func message(_ image: inout png_image) -> String {
    let text = withUnsafeBytes(of: &image.message) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    png_image_free(&image)
    return text
  }
}
