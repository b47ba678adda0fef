import Engine
import Foundation
import Testing

/// Each malformed file, crafted byte by byte, produces its own error naming the file.
@Suite struct SafetensorsValidationTests {
  static let path = "crafted.safetensors"

  /// A malformed file and the error it must produce.
  struct Case: Sendable, CustomTestStringConvertible {
    var label: String
    var bytes: Data
    var expected: SafetensorsError
    var testDescription: String { label }
  }

  /// Length prefix + `header` + `dataSize` zero bytes.
  static func file(_ header: String, dataSize: Int = 0) -> Data {
    file(rawHeader: Array(header.utf8), dataSize: dataSize)
  }

  static func file(rawHeader: [UInt8], dataSize: Int = 0, declaredLength: UInt64? = nil) -> Data {
    let length = declaredLength ?? UInt64(rawHeader.count)
    var bytes = Data((0..<8).map { UInt8(truncatingIfNeeded: length >> (8 * $0)) })
    bytes.append(contentsOf: rawHeader)
    bytes.append(Data(count: dataSize))
    return bytes
  }

  /// A one-entry header: `"name":{"dtype":..,"shape":..,"data_offsets":..}`.
  static func entry(_ name: String, _ dtype: String = "\"F32\"", _ shape: String, _ offsets: String) -> String {
    "\"\(name)\":{\"dtype\":\(dtype),\"shape\":\(shape),\"data_offsets\":\(offsets)}"
  }

  static let p = path
  static let cases: [Case] = [
    Case(label: "shorter than 8 bytes", bytes: Data([1, 0, 0]), expected: .fileTooShort(path: p, size: 3)),
    Case(label: "header over 100 MB", bytes: file(rawHeader: [], declaredLength: 100_000_001),
         expected: .headerTooLarge(path: p, headerLength: 100_000_001)),
    Case(label: "header past end of file", bytes: file(rawHeader: Array("{}".utf8), declaredLength: 40),
         expected: .headerBeyondFile(path: p, headerLength: 40, fileSize: 10)),
    Case(label: "header not UTF-8", bytes: file(rawHeader: [0x7B, 0xFF, 0xFE, 0x7D]), expected: .headerNotUTF8(path: p)),
    Case(label: "header not JSON", bytes: file(#"{"a": "#), expected: .headerNotJSON(path: p, reason: "")),
    Case(label: "header an array", bytes: file("[1, 2]"), expected: .headerNotObject(path: p)),
    Case(label: "header a number", bytes: file("42"), expected: .headerNotObject(path: p)),
    Case(label: "entry not an object", bytes: file(#"{"a":5}"#), expected: .entryNotObject(path: p, name: "a")),
    Case(label: "no dtype", bytes: file(#"{"a":{"shape":[1],"data_offsets":[0,4]}}"#, dataSize: 4),
         expected: .missingField(path: p, name: "a", field: "dtype")),
    Case(label: "no shape", bytes: file(#"{"a":{"dtype":"F32","data_offsets":[0,4]}}"#, dataSize: 4),
         expected: .missingField(path: p, name: "a", field: "shape")),
    Case(label: "no data_offsets", bytes: file(#"{"a":{"dtype":"F32","shape":[1]}}"#, dataSize: 4),
         expected: .missingField(path: p, name: "a", field: "data_offsets")),
    Case(label: "dtype not a string", bytes: file("{" + entry("a", "5", "[1]", "[0,4]") + "}", dataSize: 4),
         expected: .wrongFieldType(path: p, name: "a", field: "dtype", expected: "a string")),
    Case(label: "shape not an array", bytes: file("{" + entry("a", "\"F32\"", "\"1\"", "[0,4]") + "}", dataSize: 4),
         expected: .wrongFieldType(path: p, name: "a", field: "shape", expected: "an array of integers")),
    Case(label: "fractional dimension", bytes: file("{" + entry("a", "\"F32\"", "[1.0]", "[0,4]") + "}", dataSize: 4),
         expected: .wrongFieldType(path: p, name: "a", field: "shape", expected: "an array of integers")),
    Case(label: "boolean dimension", bytes: file("{" + entry("a", "\"F32\"", "[true]", "[0,4]") + "}", dataSize: 4),
         expected: .wrongFieldType(path: p, name: "a", field: "shape", expected: "an array of integers")),
    Case(label: "one offset", bytes: file("{" + entry("a", "\"F32\"", "[1]", "[4]") + "}", dataSize: 4),
         expected: .wrongFieldType(path: p, name: "a", field: "data_offsets", expected: "an array of two integers")),
    Case(label: "string offset", bytes: file("{" + entry("a", "\"F32\"", "[1]", "[0,\"4\"]") + "}", dataSize: 4),
         expected: .wrongFieldType(path: p, name: "a", field: "data_offsets", expected: "an array of two integers")),
    Case(label: "unknown dtype", bytes: file("{" + entry("a", "\"Q7\"", "[1]", "[0,4]") + "}", dataSize: 4),
         expected: .unknownDType(path: p, name: "a", dtype: "Q7")),
    Case(label: "negative dimension", bytes: file("{" + entry("a", "\"F32\"", "[-1,2]", "[0,4]") + "}", dataSize: 4),
         expected: .negativeDimension(path: p, name: "a", shape: [-1, 2])),
    Case(label: "begin after end", bytes: file("{" + entry("a", "\"F32\"", "[1]", "[8,4]") + "}", dataSize: 8),
         expected: .invalidOffsets(path: p, name: "a", begin: 8, end: 4)),
    Case(label: "negative begin", bytes: file("{" + entry("a", "\"F32\"", "[1]", "[-4,0]") + "}", dataSize: 4),
         expected: .invalidOffsets(path: p, name: "a", begin: -4, end: 0)),
    Case(label: "byte count overflows", bytes: file("{" + entry("a", "\"F32\"", "[4611686018427387904,4]", "[0,4]") + "}", dataSize: 4),
         expected: .sizeOverflow(path: p, name: "a", shape: [1 << 62, 4])),
    Case(label: "size not shape times dtype", bytes: file("{" + entry("a", "\"F32\"", "[2]", "[0,4]") + "}", dataSize: 4),
         expected: .sizeMismatch(path: p, name: "a", expectedBytes: 8, actualBytes: 4)),
    Case(label: "offsets past the data", bytes: file("{" + entry("a", "\"F32\"", "[2]", "[0,8]") + "}", dataSize: 4),
         expected: .offsetsOutsideData(path: p, name: "a", end: 8, dataSize: 4)),
    Case(label: "overlapping tensors",
         bytes: file("{" + entry("a", "\"F32\"", "[2]", "[0,8]") + "," + entry("b", "\"F32\"", "[2]", "[4,12]") + "}", dataSize: 12),
         expected: .overlappingTensors(path: p, name: "b", previous: "a")),
    Case(label: "gap between tensors",
         bytes: file("{" + entry("a", "\"F32\"", "[1]", "[0,4]") + "," + entry("b", "\"F32\"", "[1]", "[8,12]") + "}", dataSize: 12),
         expected: .gap(path: p, begin: 4, end: 8)),
    Case(label: "gap at the start", bytes: file("{" + entry("a", "\"F32\"", "[1]", "[4,8]") + "}", dataSize: 8),
         expected: .gap(path: p, begin: 0, end: 4)),
    Case(label: "unused trailing bytes", bytes: file("{" + entry("a", "\"F32\"", "[1]", "[0,4]") + "}", dataSize: 8),
         expected: .gap(path: p, begin: 4, end: 8)),
    // JSON allows a repeated key; Foundation keeps the last, so the first entry's bytes are orphaned.
    Case(label: "repeated name",
         bytes: file("{" + entry("a", "\"F32\"", "[1]", "[0,4]") + "," + entry("a", "\"F32\"", "[1]", "[4,8]") + "}", dataSize: 8),
         expected: .gap(path: p, begin: 0, end: 4)),
    Case(label: "metadata not an object", bytes: file(#"{"__metadata__":"epoch 3"}"#),
         expected: .metadataNotObject(path: p)),
    Case(label: "metadata value not a string", bytes: file(#"{"__metadata__":{"epoch":3}}"#),
         expected: .metadataValueNotString(path: p, key: "epoch")),
  ]

  @Test(arguments: cases)
  func malformedFileProducesItsSpecificError(_ c: Case) {
    let error = #expect(throws: SafetensorsError.self) { try SafetensorsFile.decode(c.bytes, path: Self.path) }
    guard let error else { return }
    if case .headerNotJSON = c.expected {
      // Foundation's wording of the parse error is not ours to pin down.
      guard case .headerNotJSON(let path, let reason) = error else {
        Issue.record("expected headerNotJSON, got \(error)")
        return
      }
      #expect(path == Self.path && !reason.isEmpty)
    } else {
      #expect(error == c.expected)
    }
    #expect(error.description.hasPrefix("safetensors file \(Self.path) "))
    #expect(error.description.count > "safetensors file \(Self.path) ".count + 10)
  }

  @Test func unreadableFileNamesItsPath() {
    let url = URL(fileURLWithPath: "/nonexistent/dir/model.safetensors")
    let error = #expect(throws: SafetensorsError.self) { try SafetensorsFile(contentsOf: url) }
    guard case .unreadable(let path, _) = error else {
      Issue.record("expected unreadable, got \(String(describing: error))")
      return
    }
    #expect(path == url.path)
  }

  /// The edge cases the rules allow: zero-size tensors sharing an offset, a `null` metadata map,
  /// whitespace padding, unknown entry fields, and a header that is not 8-byte aligned.
  @Test func acceptsValidEdgeCases() throws {
    let header = "{" + Self.entry("a", "\"F32\"", "[0]", "[0,0]") + "," + Self.entry("b", "\"U8\"", "[2,0]", "[0,0]") + ","
      + #""c":{"dtype":"BOOL","shape":[1],"data_offsets":[0,1],"extra":"ignored"},"__metadata__":null}   "#
    let file = try SafetensorsFile.decode(Self.file(header, dataSize: 1), path: Self.path)
    #expect(file.tensors.keys.sorted() == ["a", "b", "c"])
    #expect(file.tensors["b"]?.shape == [2, 0] && file.tensors["c"]?.bytes == Data([0]))
    #expect(file.metadata.isEmpty)
  }

  /// Decoding a slice of a larger buffer (non-zero start index) reads the right bytes.
  @Test func decodesFromADataSlice() throws {
    let bytes = SafetensorsFile(tensors: ["w": SafetensorsTensor(shape: [2], float32: [1.5, -2])]).serialized()
    let padded = Data([9, 9, 9]) + bytes
    let file = try SafetensorsFile.decode(padded[3...], path: Self.path)
    #expect(file.tensors["w"]?.float32Values == [1.5, -2])
  }
}
