import CPNG
import Foundation

/// Writes a `Canvas` as an 8-bit RGB PNG through libpng's simplified API, which keeps libpng's
/// `longjmp` error handling inside C (see `Sources/CPNG/shim.h`).
public enum PNGEncoder {
  /// The PNG file's bytes.
  public static func encode(_ canvas: Canvas) throws(PNGError) -> [UInt8] {
    var image = png_image()
    image.version = UInt32(PNG_IMAGE_VERSION)
    image.width = UInt32(canvas.width)
    image.height = UInt32(canvas.height)
    image.format = UInt32(PNG_FORMAT_RGB)
    let stride = Int32(canvas.width * 3)
    // First call sizes the output, the second writes it (libpng's documented two-pass use).
    var size = 0
    let sized = canvas.pixels.withUnsafeBufferPointer { pixels in
      png_image_write_to_memory(&image, nil, &size, 0, pixels.baseAddress, stride, nil)
    }
    guard sized != 0, size > 0 else { throw PNGError(message: message(of: &image)) }
    var output = [UInt8](repeating: 0, count: size)
    let written = output.withUnsafeMutableBytes { out in
      canvas.pixels.withUnsafeBufferPointer { pixels in
        png_image_write_to_memory(&image, out.baseAddress, &size, 0, pixels.baseAddress, stride, nil)
      }
    }
    guard written != 0 else { throw PNGError(message: message(of: &image)) }
    png_image_free(&image)
    return Array(output.prefix(size))
  }

  /// Encodes `canvas` and writes it to `url` atomically (a half-written figure never appears
  /// under the final name).
  public static func write(_ canvas: Canvas, to url: URL) throws {
    try Data(encode(canvas)).write(to: url, options: .atomic)
  }

  private static func message(of image: inout png_image) -> String {
    let text = withUnsafeBytes(of: &image.message) { raw in
      String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
    }
    png_image_free(&image)
    return text.isEmpty ? "libpng failed without a message" : text
  }
}

/// libpng refused to encode an image; `message` is libpng's own.
public struct PNGError: Error, CustomStringConvertible, Equatable {
  public var message: String
  public var description: String { "PNG encoding failed: \(message)" }
}
