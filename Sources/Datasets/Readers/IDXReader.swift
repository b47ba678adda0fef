import Foundation

/// The IDX format of (Fashion-)MNIST: a big-endian header — magic `0x00000803` then n, rows,
/// columns for images, magic `0x00000801` then n for labels — followed by uint8 values.
public enum IDXReader {
  /// Images and labels of one split from their decompressed IDX bytes.
  /// - Parameters:
  ///   - imagesName, labelsName: file names for errors.
  ///   - classNames: labels are checked against their count.
  public static func read(images: Data, imagesName: String, labels: Data, labelsName: String,
                          classNames: [String]) throws(DatasetError) -> ImageSet {
    let imageDims = try header(images, file: imagesName, magic: 0x0803, dimensions: 3)
    let labelDims = try header(labels, file: labelsName, magic: 0x0801, dimensions: 1)
    let (n, rows, columns) = (imageDims[0], imageDims[1], imageDims[2])
    guard labelDims[0] == n else {
      throw .malformed(file: labelsName, field: "label count", expected: "\(n) (the image count of \(imagesName))",
                       actual: "\(labelDims[0])")
    }
    let pixels = [UInt8](images.dropFirst(16))
    let values = [UInt8](labels.dropFirst(8))
    var result = [Int32](repeating: 0, count: n)
    for (i, value) in values.enumerated() {
      guard Int(value) < classNames.count else {
        throw .malformed(file: labelsName, field: "label \(i)", expected: "0…\(classNames.count - 1)", actual: "\(value)")
      }
      result[i] = Int32(value)
    }
    return ImageSet(count: n, channels: 1, height: rows, width: columns, pixels: pixels, labels: result,
                    classNames: classNames)
  }

  /// The IDX bytes of the file at `url`, decompressed when it is gzip (by its magic bytes, not its
  /// name), as is when it is raw IDX.
  public static func contents(of url: URL, sizeHint: Int = 0) throws(DatasetError) -> Data {
    let data: Data
    do { data = try Data(contentsOf: url) } catch {
      throw .io(path: url.path, reason: "cannot read: \(error.localizedDescription)")
    }
    guard data.count >= 2, data[data.startIndex] == 0x1f, data[data.startIndex + 1] == 0x8b else { return data }
    return try gunzip(data, file: url.path, sizeHint: sizeHint)
  }

  /// Checks the magic number and that the payload is exactly the product of the dimensions.
  /// - Returns: the dimensions.
  static func header(_ data: Data, file: String, magic: UInt32, dimensions: Int) throws(DatasetError) -> [Int] {
    let headerSize = 4 + 4 * dimensions
    guard data.count >= headerSize else {
      throw .malformed(file: file, field: "size", expected: "at least a \(headerSize)-byte header", actual: "\(data.count) bytes")
    }
    let bytes = [UInt8](data.prefix(headerSize))
    func word(_ i: Int) -> UInt32 {
      bytes[4 * i ..< 4 * i + 4].reduce(0) { $0 << 8 | UInt32($1) }
    }
    guard word(0) == magic else {
      throw .malformed(file: file, field: "magic", expected: String(format: "0x%08x", magic),
                       actual: String(format: "0x%08x", word(0)))
    }
    let dims = (1...dimensions).map { Int(word($0)) }
    let payload = dims.reduce(1, *)
    guard data.count - headerSize == payload else {
      throw .malformed(file: file, field: "payload size", expected: "\(payload) bytes (\(dims.map(String.init).joined(separator: "×")))",
                       actual: "\(data.count - headerSize) bytes")
    }
    return dims
  }
}
