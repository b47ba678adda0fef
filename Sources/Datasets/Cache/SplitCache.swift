import Foundation

/// The preprocessed form of one split, so training never decodes JPEGs or parses archives again.
///
/// File layout (`<split>.mfdsplit`):
/// ```
/// "MFDSPLIT"                 8 bytes
/// version                    UInt32 little-endian (1)
/// header length H            UInt32 little-endian
/// header                     H bytes of JSON (`SplitCache.Header`)
/// pixels                     count · channels · height · width bytes, [n, c, h, w]
/// labels                     count · 4 bytes, Int32 little-endian
/// coarse labels              count · 4 bytes when the header says so (CIFAR-100)
/// ```
/// The header carries the shape, class names, measured channel statistics, provenance and the
/// SHA-256 of everything after it, which `load` checks.
public enum SplitCache {
  public static let magic = Data("MFDSPLIT".utf8)
  public static let version: UInt32 = 1

  public struct Header: Codable, Sendable, Equatable {
    public var dataset: String
    public var split: String
    public var count: Int
    public var channels: Int
    public var height: Int
    public var width: Int
    public var classNames: [String]
    public var coarseClassNames: [String]
    public var hasCoarseLabels: Bool
    /// Per-channel mean and std of these pixels on the 0…1 scale (measured, not catalogued).
    public var channelMean: [Double]
    public var channelStd: [Double]
    /// SHA-256 of the payload (pixels, labels, coarse labels).
    public var payloadSHA256: String
    /// Where the data came from: source files and their SHA-256, seeds, deviations.
    public var provenance: [String: String]
  }

  /// Writes `images` atomically to `url`.
  /// - Returns: the header written.
  @discardableResult
  public static func write(_ images: ImageSet, dataset: String, split: String, provenance: [String: String],
                           to url: URL) throws(DatasetError) -> Header {
    let payload = payloadData(images)
    let statistics = images.channelStatistics()
    let header = Header(
      dataset: dataset, split: split, count: images.count, channels: images.channels, height: images.height,
      width: images.width, classNames: images.classNames, coarseClassNames: images.coarseClassNames,
      hasCoarseLabels: !images.coarseLabels.isEmpty, channelMean: statistics.mean, channelStd: statistics.std,
      payloadSHA256: payload.reduce(into: DigestHasher()) { $0.update($1) }.finalize().sha256, provenance: provenance)
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    let json: Data
    do { json = try encoder.encode(header) } catch { throw .io(path: url.path, reason: "header encoding failed: \(error)") }
    var prefix = magic
    prefix.append(littleEndian: version)
    prefix.append(littleEndian: UInt32(json.count))
    try createDirectory(url.deletingLastPathComponent())
    try writeAtomically([prefix, json] + payload, to: url)
    return header
  }

  /// Reads only the header of the cache at `url` (cheap; for listings and plan checks).
  public static func header(at url: URL) throws(DatasetError) -> Header {
    guard let handle = try? FileHandle(forReadingFrom: url) else {
      throw .missingFile(path: url.path, hint: "run `mfd data preprocess` first")
    }
    defer { try? handle.close() }
    let prefix = (try? handle.read(upToCount: 16)) ?? nil ?? Data()
    let length = try headerLength(prefix, file: url.path)
    let json = (try? handle.read(upToCount: length)) ?? nil ?? Data()
    return try decodeHeader(json, file: url.path)
  }

  /// Loads and verifies the cache at `url`.
  /// - Parameter verify: check the payload SHA-256 (about 0.1 s per 50 MB).
  public static func load(_ url: URL, verify: Bool = true) throws(DatasetError) -> (header: Header, images: ImageSet) {
    let data: Data
    do { data = try Data(contentsOf: url, options: .alwaysMapped) } catch {
      throw .missingFile(path: url.path, hint: "run `mfd data preprocess` first")
    }
    let length = try headerLength(data.prefix(16), file: url.path)
    guard data.count >= 16 + length else {
      throw .malformed(file: url.path, field: "header", expected: "\(length) bytes", actual: "\(data.count - 16) bytes")
    }
    let header = try decodeHeader(data.subdata(in: 16..<16 + length), file: url.path)
    let n = header.count, imageBytes = n * header.channels * header.height * header.width
    let expected = imageBytes + 4 * n * (header.hasCoarseLabels ? 2 : 1)
    let payload = data.subdata(in: 16 + length..<data.count)
    guard payload.count == expected else {
      throw .malformed(file: url.path, field: "payload size", expected: "\(expected) bytes for \(n) images", actual: "\(payload.count) bytes")
    }
    if verify {
      let actual = sha256Hex(payload)
      guard actual == header.payloadSHA256 else {
        throw .checksumMismatch(file: url.path, algorithm: "payload SHA-256", expected: header.payloadSHA256, actual: actual)
      }
    }
    let pixels = [UInt8](payload.prefix(imageBytes))
    let labels = int32s(payload, from: imageBytes, count: n)
    let coarse = header.hasCoarseLabels ? int32s(payload, from: imageBytes + 4 * n, count: n) : []
    for (field, values, limit) in [("label", labels, header.classNames.count), ("coarse label", coarse, header.coarseClassNames.count)] {
      if let bad = values.firstIndex(where: { $0 < 0 || Int($0) >= limit }) {
        throw .malformed(file: url.path, field: "\(field) of image \(bad)", expected: "0…\(limit - 1)", actual: "\(values[bad])")
      }
    }
    let images = ImageSet(count: n, channels: header.channels, height: header.height, width: header.width, pixels: pixels,
                          labels: labels, coarseLabels: coarse, classNames: header.classNames,
                          coarseClassNames: header.coarseClassNames)
    return (header, images)
  }

  private static func payloadData(_ images: ImageSet) -> [Data] {
    var pieces = [Data(images.pixels), labelData(images.labels)]
    if !images.coarseLabels.isEmpty { pieces.append(labelData(images.coarseLabels)) }
    return pieces
  }

  private static func labelData(_ labels: [Int32]) -> Data {
    labels.map(\.littleEndian).withUnsafeBytes { Data($0) }
  }

  private static func int32s(_ data: Data, from offset: Int, count: Int) -> [Int32] {
    data.withUnsafeBytes { raw in
      (0..<count).map { Int32(littleEndian: raw.loadUnaligned(fromByteOffset: offset + 4 * $0, as: Int32.self)) }
    }
  }

  private static func headerLength(_ prefix: Data, file: String) throws(DatasetError) -> Int {
    let bytes = [UInt8](prefix)
    guard bytes.count == 16, Data(bytes[0..<8]) == magic else {
      throw .malformed(file: file, field: "magic", expected: "MFDSPLIT", actual: "\(bytes.prefix(8))")
    }
    let word = { (i: Int) in bytes[i..<i + 4].reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) } }
    guard word(8) == version else {
      throw .malformed(file: file, field: "version", expected: "\(version)", actual: "\(word(8))")
    }
    return Int(word(12))
  }

  private static func decodeHeader(_ json: Data, file: String) throws(DatasetError) -> Header {
    do { return try JSONDecoder().decode(Header.self, from: json) } catch {
      throw .malformed(file: file, field: "header", expected: "JSON of SplitCache.Header", actual: "\(error)")
    }
  }
}

extension Data {
  mutating func append(littleEndian value: UInt32) {
    Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
  }
}
