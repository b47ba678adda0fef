import Foundation

/// Parsing and validation of safetensors bytes.
///
/// Layout: an 8-byte little-endian u64 header length N, N bytes of UTF-8 JSON
/// (`{"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, ...,
/// "__metadata__": {"key": "value"}}`), then the data section; offsets are relative to its start.
/// The checks are those of the reference Rust implementation, each reported as its own error.
extension SafetensorsFile {
  /// The reference implementation refuses headers above 100 MB; so do we, before allocating.
  static let maximumHeaderLength: UInt64 = 100_000_000

  /// Parses and validates a whole file's bytes; `path` only labels the errors.
  /// - Throws: `SafetensorsError` for the first problem found (entries are checked in name order).
  public static func decode(_ bytes: Data, path: String) throws(SafetensorsError) -> SafetensorsFile {
    let bytes = bytes.startIndex == 0 ? bytes : Data(bytes)  // zero-based indices below
    guard bytes.count >= 8 else { throw .fileTooShort(path: path, size: bytes.count) }
    var headerLength: UInt64 = 0
    for i in (0..<8).reversed() { headerLength = headerLength << 8 | UInt64(bytes[i]) }
    guard headerLength <= maximumHeaderLength else {
      throw .headerTooLarge(path: path, headerLength: headerLength)
    }
    guard headerLength <= UInt64(bytes.count - 8) else {
      throw .headerBeyondFile(path: path, headerLength: headerLength, fileSize: bytes.count)
    }
    let dataStart = 8 + Int(headerLength)
    let header = try parseHeader(bytes[8..<dataStart], path: path)

    var entries: [(name: String, info: EntryInfo)] = []
    var metadata: [String: String] = [:]
    // Sorted so that the first error reported for a file with several problems is stable.
    for name in header.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
      let value = header[name]!
      if name == "__metadata__" {
        metadata = try parseMetadata(value, path: path)
      } else {
        entries.append((name, try parseEntry(name: name, value, path: path)))
      }
    }

    let dataSize = bytes.count - dataStart
    for (name, info) in entries where info.end > dataSize {
      throw .offsetsOutsideData(path: path, name: name, end: info.end, dataSize: dataSize)
    }
    try checkTiling(entries, dataSize: dataSize, path: path)

    var tensors: [String: SafetensorsTensor] = [:]
    for (name, info) in entries {
      let slice = bytes[(dataStart + info.begin)..<(dataStart + info.end)]
      tensors[name] = SafetensorsTensor(dtype: info.dtype, shape: info.shape, bytes: slice)
    }
    return SafetensorsFile(tensors: tensors, metadata: metadata)
  }

  /// One validated header entry: its dtype, shape and byte range in the data section.
  private struct EntryInfo {
    var dtype: SafetensorsDType
    var shape: [Int]
    var begin: Int
    var end: Int
  }

  private static func parseHeader(_ header: Data, path: String) throws(SafetensorsError) -> [String: Any] {
    // `String(decoding:)` repairs invalid sequences; a repaired string re-encodes differently.
    let text = String(decoding: header, as: UTF8.self)
    guard text.utf8.elementsEqual(header) else { throw .headerNotUTF8(path: path) }
    let json: Any
    do {
      json = try JSONSerialization.jsonObject(with: header, options: [.fragmentsAllowed])
    } catch {
      throw .headerNotJSON(path: path, reason: jsonErrorDetail(error))
    }
    guard let object = json as? [String: Any] else { throw .headerNotObject(path: path) }
    return object
  }

  /// Foundation's JSON errors keep the useful part ("around line 1, column 7") in the user info.
  private static func jsonErrorDetail(_ error: any Error) -> String {
    let nsError = error as NSError
    return nsError.userInfo[NSDebugDescriptionErrorKey] as? String ?? nsError.localizedDescription
  }

  private static func parseMetadata(_ value: Any, path: String) throws(SafetensorsError) -> [String: String] {
    if value is NSNull { return [:] }  // the reference reader accepts `null` (an absent map)
    guard let object = value as? [String: Any] else { throw .metadataNotObject(path: path) }
    var metadata: [String: String] = [:]
    for key in object.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
      guard let string = object[key] as? String else {
        throw .metadataValueNotString(path: path, key: key)
      }
      metadata[key] = string
    }
    return metadata
  }

  private static func parseEntry(name: String, _ value: Any, path: String) throws(SafetensorsError) -> EntryInfo {
    guard let entry = value as? [String: Any] else { throw .entryNotObject(path: path, name: name) }
    for field in ["dtype", "shape", "data_offsets"] where entry[field] == nil {
      throw .missingField(path: path, name: name, field: field)
    }
    guard let dtypeName = entry["dtype"] as? String else {
      throw .wrongFieldType(path: path, name: name, field: "dtype", expected: "a string")
    }
    guard let dtype = SafetensorsDType(rawValue: dtypeName) else {
      throw .unknownDType(path: path, name: name, dtype: dtypeName)
    }
    guard let shapeArray = entry["shape"] as? [Any],
          let shape = integers(shapeArray) else {
      throw .wrongFieldType(path: path, name: name, field: "shape", expected: "an array of integers")
    }
    guard shape.allSatisfy({ $0 >= 0 }) else {
      throw .negativeDimension(path: path, name: name, shape: shape)
    }
    guard let offsetArray = entry["data_offsets"] as? [Any],
          let offsets = integers(offsetArray), offsets.count == 2 else {
      throw .wrongFieldType(path: path, name: name, field: "data_offsets",
                            expected: "an array of two integers")
    }
    let (begin, end) = (offsets[0], offsets[1])
    guard 0 <= begin, begin <= end else {
      throw .invalidOffsets(path: path, name: name, begin: begin, end: end)
    }
    var expectedBytes = dtype.byteSize
    for dimension in shape {
      let (product, overflow) = expectedBytes.multipliedReportingOverflow(by: dimension)
      guard !overflow else { throw .sizeOverflow(path: path, name: name, shape: shape) }
      expectedBytes = product
    }
    guard end - begin == expectedBytes else {
      throw .sizeMismatch(path: path, name: name, expectedBytes: expectedBytes,
                          actualBytes: end - begin)
    }
    return EntryInfo(dtype: dtype, shape: shape, begin: begin, end: end)
  }

  /// Objective-C type codes of the signed and unsigned integer NSNumbers.
  private static let integerTypeCodes: Set<String> = ["s", "i", "l", "q", "S", "I", "L", "Q"]

  /// JSON integers as Ints, or nil if any element is a boolean, a fraction (even `2.0`, which
  /// the reference reader also rejects) or beyond Int64.
  private static func integers(_ array: [Any]) -> [Int]? {
    var result: [Int] = []
    result.reserveCapacity(array.count)
    for element in array {
      // Foundation bridges JSON `true` to 1 and `2.0` to 2 on a plain `as? Int`; the
      // Objective-C type code tells integers ("i", "q", ...) from booleans ("c") and doubles ("d").
      guard let number = element as? NSNumber,
            integerTypeCodes.contains(String(cString: number.objCType)),
            let value = number as? Int else { return nil }
      result.append(value)
    }
    return result
  }

  /// The tensors, sorted by offset, must tile the data section exactly: no shared bytes (which
  /// would alias two tensors) and no unused bytes (which could hide data), as the reference
  /// implementation requires.
  private static func checkTiling(
    _ entries: [(name: String, info: EntryInfo)], dataSize: Int, path: String
  ) throws(SafetensorsError) {
    let sorted = entries.sorted { a, b in
      (a.info.begin, a.info.end) < (b.info.begin, b.info.end)
        || ((a.info.begin, a.info.end) == (b.info.begin, b.info.end)
            && a.name.utf8.lexicographicallyPrecedes(b.name.utf8))
    }
    var covered = 0
    var previous = ""
    for (name, info) in sorted {
      if info.begin > covered { throw .gap(path: path, begin: covered, end: info.begin) }
      if info.begin < covered {
        throw .overlappingTensors(path: path, name: name, previous: previous)
      }
      covered = info.end
      previous = name
    }
    if covered < dataSize { throw .gap(path: path, begin: covered, end: dataSize) }
  }
}
