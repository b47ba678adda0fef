import CTurboJPEG
import Foundation

/// Encodes interleaved 8-bit pixels as baseline JPEG with libjpeg-turbo: the stand-in datasets'
/// images, and the test fixtures' (including the gray and CMYK files the decoder must handle).
public enum JPEGEncoder {
  public enum PixelFormat: Sendable {
    case gray, rgb, cmyk

    var channels: Int { switch self { case .gray: 1; case .rgb: 3; case .cmyk: 4 } }
  }

  /// - Parameter pixels: [height, width, channels] interleaved.
  public static func encode(_ pixels: [UInt8], width: Int, height: Int, format: PixelFormat,
                            quality: Int32 = 95) throws(DatasetError) -> Data {
    guard pixels.count == width * height * format.channels else {
      throw .malformed(file: "(JPEG encoder input)", field: "pixel count", expected: "\(width * height * format.channels)",
                       actual: "\(pixels.count)")
    }
    guard let handle = tjInitCompress() else { throw .io(path: "(JPEG encoder)", reason: "tjInitCompress failed: out of memory") }
    defer { tjDestroy(handle) }
    var buffer: UnsafeMutablePointer<UInt8>?
    var size: UInt = 0
    let pixelFormat = switch format { case .gray: TJPF_GRAY; case .rgb: TJPF_RGB; case .cmyk: TJPF_CMYK }
    let subsampling = format == .gray ? TJSAMP_GRAY : TJSAMP_444
    let status = pixels.withUnsafeBufferPointer {
      tjCompress2(handle, $0.baseAddress, Int32(width), 0, Int32(height), Int32(pixelFormat.rawValue), &buffer, &size,
                  Int32(subsampling.rawValue), quality, 0)
    }
    defer { if let buffer { tjFree(buffer) } }
    guard status == 0, let buffer else {
      throw .io(path: "(JPEG encoder)", reason: String(cString: tjGetErrorStr2(handle)))
    }
    return Data(bytes: buffer, count: Int(size))
  }
}
