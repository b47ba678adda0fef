/// Why a safetensors file could not be read or written. Every case names the file, so a message
/// from deep inside a training run still says which checkpoint is broken.
public enum SafetensorsError: Error, CustomStringConvertible, Equatable, Sendable {
  /// The file could not be opened or read at all.
  case unreadable(path: String, reason: String)
  /// Fewer than the 8 bytes of the header-length prefix.
  case fileTooShort(path: String, size: Int)
  /// The header length exceeds the reference implementation's 100 MB limit.
  case headerTooLarge(path: String, headerLength: UInt64)
  /// The header length runs past the end of the file.
  case headerBeyondFile(path: String, headerLength: UInt64, fileSize: Int)
  case headerNotUTF8(path: String)
  case headerNotJSON(path: String, reason: String)
  /// The header is JSON but not an object (`[...]`, `42`, ...).
  case headerNotObject(path: String)
  /// A tensor's entry is not an object.
  case entryNotObject(path: String, name: String)
  /// A tensor's entry lacks `dtype`, `shape` or `data_offsets`.
  case missingField(path: String, name: String, field: String)
  /// A field has the wrong JSON type; `expected` says what it should be.
  case wrongFieldType(path: String, name: String, field: String, expected: String)
  case unknownDType(path: String, name: String, dtype: String)
  case negativeDimension(path: String, name: String, shape: [Int])
  /// `data_offsets` is not `[begin, end]` with 0 ≤ begin ≤ end.
  case invalidOffsets(path: String, name: String, begin: Int, end: Int)
  /// The element count times the element size overflows.
  case sizeOverflow(path: String, name: String, shape: [Int])
  /// `end − begin` differs from product(shape) · element size.
  case sizeMismatch(path: String, name: String, expectedBytes: Int, actualBytes: Int)
  /// The tensor's bytes end past the end of the data section.
  case offsetsOutsideData(path: String, name: String, end: Int, dataSize: Int)
  /// Two tensors share bytes (`name` starts inside `previous`).
  case overlappingTensors(path: String, name: String, previous: String)
  /// Bytes `begin..<end` of the data section belong to no tensor.
  case gap(path: String, begin: Int, end: Int)
  case metadataNotObject(path: String)
  case metadataValueNotString(path: String, key: String)
  /// Writing, syncing or renaming failed (the final name is left untouched).
  case writeFailed(path: String, reason: String)

  /// The file the error is about.
  public var path: String {
    switch self {
    case .unreadable(let path, _), .fileTooShort(let path, _), .headerTooLarge(let path, _),
         .headerBeyondFile(let path, _, _), .headerNotUTF8(let path), .headerNotJSON(let path, _),
         .headerNotObject(let path), .entryNotObject(let path, _), .missingField(let path, _, _),
         .wrongFieldType(let path, _, _, _), .unknownDType(let path, _, _),
         .negativeDimension(let path, _, _), .invalidOffsets(let path, _, _, _),
         .sizeOverflow(let path, _, _), .sizeMismatch(let path, _, _, _),
         .offsetsOutsideData(let path, _, _, _), .overlappingTensors(let path, _, _),
         .gap(let path, _, _), .metadataNotObject(let path),
         .metadataValueNotString(let path, _), .writeFailed(let path, _):
      path
    }
  }

  /// What is wrong, without the path.
  public var reason: String {
    switch self {
    case .unreadable(_, let reason):
      "cannot be read: \(reason)"
    case .fileTooShort(_, let size):
      "is \(size) bytes long, shorter than the 8-byte header length"
    case .headerTooLarge(_, let length):
      "declares a header of \(length) bytes, more than the 100 MB limit"
    case .headerBeyondFile(_, let length, let size):
      "declares a header of \(length) bytes but the file has only \(size) bytes"
    case .headerNotUTF8:
      "has a header that is not valid UTF-8"
    case .headerNotJSON(_, let reason):
      "has a header that is not valid JSON: \(reason)"
    case .headerNotObject:
      "has a header that is not a JSON object"
    case .entryNotObject(_, let name):
      "has an entry '\(name)' that is not an object"
    case .missingField(_, let name, let field):
      "has a tensor '\(name)' without '\(field)'"
    case .wrongFieldType(_, let name, let field, let expected):
      "has a tensor '\(name)' whose '\(field)' is not \(expected)"
    case .unknownDType(_, let name, let dtype):
      "has a tensor '\(name)' of unknown dtype '\(dtype)'"
    case .negativeDimension(_, let name, let shape):
      "has a tensor '\(name)' with a negative dimension in shape \(shape)"
    case .invalidOffsets(_, let name, let begin, let end):
      "has a tensor '\(name)' with data_offsets [\(begin), \(end)], not 0 ≤ begin ≤ end"
    case .sizeOverflow(_, let name, let shape):
      "has a tensor '\(name)' whose shape \(shape) overflows the byte count"
    case .sizeMismatch(_, let name, let expected, let actual):
      "has a tensor '\(name)' that spans \(actual) bytes but its dtype and shape need \(expected)"
    case .offsetsOutsideData(_, let name, let end, let dataSize):
      "has a tensor '\(name)' ending at byte \(end) of a \(dataSize)-byte data section"
    case .overlappingTensors(_, let name, let previous):
      "has tensors '\(previous)' and '\(name)' that overlap"
    case .gap(_, let begin, let end):
      "has bytes \(begin)..<\(end) of the data section that belong to no tensor"
    case .metadataNotObject:
      "has a __metadata__ that is not an object"
    case .metadataValueNotString(_, let key):
      "has a __metadata__ value for '\(key)' that is not a string"
    case .writeFailed(_, let reason):
      "could not be written: \(reason)"
    }
  }

  public var description: String { "safetensors file \(path) \(reason)" }
}
