import CTurboJPEG
import Foundation

/// Decodes JPEGs to 8-bit RGB with libjpeg-turbo. Grayscale files come out with the gray value in
/// all three channels (TurboJPEG's TJPF_RGB does the expansion), so Tiny ImageNet's ~2 % of gray
/// images are kept, not dropped. Decoding is strict: a warning (corrupt data that libjpeg would
/// silently patch) is an error, and so is a CMYK file.
///
/// One decoder owns one TurboJPEG handle; handles are not thread-safe, so use one per thread.
public final class JPEGDecoder {
  private let handle: tjhandle

  public init() {
    guard let handle = tjInitDecompress() else { fatalError("tjInitDecompress failed: out of memory") }
    self.handle = handle
  }

  deinit { tjDestroy(handle) }

  /// Decoded image: [height, width, 3] interleaved RGB.
  public struct RGBImage {
    public var width: Int
    public var height: Int
    public var pixels: [UInt8]
  }

  /// - Parameter file: the name used in errors.
  public func decode(_ data: Data, file: String) throws(DatasetError) -> RGBImage {
    try data.withBytes { (raw: UnsafeRawBufferPointer) throws(DatasetError) -> RGBImage in
      guard let base = raw.bindMemory(to: UInt8.self).baseAddress, raw.count > 0 else {
        throw .jpeg(file: file, reason: "empty file")
      }
      var width: Int32 = 0, height: Int32 = 0, subsampling: Int32 = 0, colorspace: Int32 = 0
      guard tjDecompressHeader3(handle, base, UInt(raw.count), &width, &height, &subsampling, &colorspace) == 0 else {
        throw .jpeg(file: file, reason: message())
      }
      if colorspace == Int32(TJCS_CMYK.rawValue) || colorspace == Int32(TJCS_YCCK.rawValue) {
        throw .jpeg(file: file, reason: "CMYK/YCCK colour space is not supported; convert the file to RGB")
      }
      var pixels = [UInt8](repeating: 0, count: Int(width) * Int(height) * 3)
      let flags = Int32(TJFLAG_ACCURATEDCT | TJFLAG_STOPONWARNING)
      let status = pixels.withUnsafeMutableBufferPointer { out in
        tjDecompress2(handle, base, UInt(raw.count), out.baseAddress, width, 0, height, Int32(TJPF_RGB.rawValue), flags)
      }
      guard status == 0 else { throw .jpeg(file: file, reason: message()) }
      return RGBImage(width: Int(width), height: Int(height), pixels: pixels)
    }
  }

  /// Reads and decodes the file at `url`.
  public func decode(contentsOf url: URL) throws(DatasetError) -> RGBImage {
    let data: Data
    do { data = try Data(contentsOf: url) } catch {
      throw .io(path: url.path, reason: "cannot read: \(error.localizedDescription)")
    }
    return try decode(data, file: url.path)
  }

  private func message() -> String {
    String(cString: tjGetErrorStr2(handle))
  }
}

extension JPEGDecoder.RGBImage {
  /// Writes the image planar ([3, height, width]) into `destination`, which has room for it.
  func copyPlanar(into destination: UnsafeMutableBufferPointer<UInt8>) {
    let plane = width * height
    pixels.withUnsafeBufferPointer { src in
      for i in 0..<plane {
        destination[i] = src[3 * i]
        destination[plane + i] = src[3 * i + 1]
        destination[2 * plane + i] = src[3 * i + 2]
      }
    }
  }
}
