import Engine
import Foundation
import Testing

@Suite struct SafetensorsTests {
  /// A file with every kind of content the engine writes, plus raw dtypes, scalars, empty tensors
  /// and names and metadata that need JSON escaping.
  static func sampleFile() -> SafetensorsFile {
    SafetensorsFile(
      tensors: [
        "layer1.0.conv1.weight": SafetensorsTensor(shape: [2, 1, 1, 3], float32: [0.5, -1, 3.25, 1e-30, -0, .infinity]),
        "bn1.num_batches_tracked": SafetensorsTensor(shape: [], int64: [1 << 40]),
        "empty": SafetensorsTensor(shape: [0, 4], float32: []),
        "half": SafetensorsTensor(dtype: .F16, shape: [3], bytes: Data([0, 0x3C, 0, 0xC0, 0, 0x38])),
        "odd \"name\"\\/\té": SafetensorsTensor(dtype: .U8, shape: [3], bytes: Data([1, 2, 3])),
      ],
      metadata: ["epoch": "12", "rng": "{\"state\":[1,2]}\n\u{01}", "ünïcode": "∂"])
  }

  @Test func writtenFileReadsBackIdentically() throws {
    let directory = try TemporaryDirectory()
    let url = directory.url.appendingPathComponent("sample.safetensors")
    let file = Self.sampleFile()
    try file.write(to: url)
    let read = try SafetensorsFile(contentsOf: url)
    #expect(read == file)
    #expect(read.tensors["layer1.0.conv1.weight"]?.float32Values == [0.5, -1, 3.25, 1e-30, -0, .infinity])
    #expect(read.tensors["bn1.num_batches_tracked"]?.int64Values == [1 << 40])
    #expect(read.tensors["bn1.num_batches_tracked"]?.shape == [])
    #expect(read.metadata["rng"] == "{\"state\":[1,2]}\n\u{01}")
  }

  @Test func writerIsByteDeterministic() throws {
    let file = Self.sampleFile()
    // The same tensors inserted in reverse order: dictionaries then iterate differently.
    var reversed = SafetensorsFile(metadata: file.metadata)
    for name in file.tensors.keys.sorted().reversed() { reversed.tensors[name] = file.tensors[name] }
    let bytes = file.serialized()
    #expect(reversed.serialized() == bytes)

    let directory = try TemporaryDirectory()
    let (a, b) = (directory.url.appendingPathComponent("a"), directory.url.appendingPathComponent("b"))
    try file.write(to: a)
    try reversed.write(to: b)
    #expect(try Data(contentsOf: a) == bytes && Data(contentsOf: b) == bytes)

    let headerLength = bytes.prefix(8).reversed().reduce(0) { $0 << 8 | Int($1) }
    #expect(headerLength % 8 == 0)
    let header = String(decoding: bytes[8..<(8 + headerLength)], as: UTF8.self)
    #expect(header.hasPrefix(#"{"__metadata__":{"epoch":"12","rng":"{\"state\":[1,2]}\n\u0001","ünïcode":"∂"},"bn1.num_batches_tracked":{"dtype":"I64","shape":[],"data_offsets":[0,8]},"empty""#))
  }

  /// Byte vectors from the reference implementation's own tests (safetensors/src/tensor.rs).
  @Test func writerMatchesReferenceImplementationTestVectors() {
    let ramp: [Float] = [0, 1, 2, 3, 4, 5]
    let attn = SafetensorsFile(tensors: ["attn.0": SafetensorsTensor(shape: [1, 2, 3], float32: ramp)])
    #expect(Array(attn.serialized()) == [
      64, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 46, 48, 34, 58, 123, 34, 100,
      116, 121, 112, 101, 34, 58, 34, 70, 51, 50, 34, 44, 34, 115, 104, 97, 112, 101, 34,
      58, 91, 49, 44, 50, 44, 51, 93, 44, 34, 100, 97, 116, 97, 95, 111, 102, 102, 115,
      101, 116, 115, 34, 58, 91, 48, 44, 50, 52, 93, 125, 125, 0, 0, 0, 0, 0, 0, 128, 63,
      0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64,
    ])
    let aligned = SafetensorsFile(tensors: ["attn0": SafetensorsTensor(shape: [1, 1, 2, 3], float32: ramp)])
    #expect(Array(aligned.serialized()) == [
      72, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 48, 34, 58, 123, 34, 100, 116,
      121, 112, 101, 34, 58, 34, 70, 51, 50, 34, 44, 34, 115, 104, 97, 112, 101, 34, 58,
      91, 49, 44, 49, 44, 50, 44, 51, 93, 44, 34, 100, 97, 116, 97, 95, 111, 102, 102,
      115, 101, 116, 115, 34, 58, 91, 48, 44, 50, 52, 93, 125, 125, 32, 32, 32, 32, 32,
      32, 32, 0, 0, 0, 0, 0, 0, 128, 63, 0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0,
      160, 64,
    ])
    #expect(Array(SafetensorsFile().serialized()) == [8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32])
    #expect(Array(SafetensorsFile(metadata: ["framework": "pt"]).serialized()) == [
      40, 0, 0, 0, 0, 0, 0, 0, 123, 34, 95, 95, 109, 101, 116, 97, 100, 97, 116, 97, 95,
      95, 34, 58, 123, 34, 102, 114, 97, 109, 101, 119, 111, 114, 107, 34, 58, 34, 112,
      116, 34, 125, 125, 32, 32, 32, 32, 32,
    ])
  }

  /// Larger dtypes first, then by name: every tensor's data starts at a multiple of its element
  /// size (the header is padded to 8), so memory-mapping readers can use it in place.
  @Test func dataIsLaidOutByDescendingAlignmentThenName() throws {
    let file = SafetensorsFile(tensors: [
      "a": SafetensorsTensor(dtype: .U8, shape: [1], bytes: Data([7])),
      "b": SafetensorsTensor(shape: [1], float32: [1]),
      "c": SafetensorsTensor(shape: [], int64: [2]),
      "d": SafetensorsTensor(dtype: .F64, shape: [1], bytes: Data(count: 8)),
      "e": SafetensorsTensor(dtype: .I16, shape: [1], bytes: Data([1, 0])),
    ])
    let bytes = file.serialized()
    let headerLength = bytes.prefix(8).reversed().reduce(0) { $0 << 8 | Int($1) }
    let header = try #require(try JSONSerialization.jsonObject(with: bytes[8..<(8 + headerLength)]) as? [String: [String: Any]])
    let begins = header.mapValues { ($0["data_offsets"] as! [Int])[0] }
    #expect(begins == ["c": 0, "d": 8, "b": 16, "e": 20, "a": 22])
    #expect(try SafetensorsFile.decode(bytes, path: "m") == file)
  }

  @Test func atomicWriteReplacesTheFileAndLeavesNoTemporaryFiles() throws {
    let directory = try TemporaryDirectory()
    let url = directory.url.appendingPathComponent("ckpt.safetensors")
    try Data("old contents".utf8).write(to: url)
    try Self.sampleFile().write(to: url)
    #expect(try SafetensorsFile(contentsOf: url) == Self.sampleFile())
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory.url.path) == ["ckpt.safetensors"])
  }

  @Test func failedWriteThrowsAndCreatesNothing() throws {
    let directory = try TemporaryDirectory()
    let url = directory.url.appendingPathComponent("missing-dir/ckpt.safetensors")
    let error = #expect(throws: SafetensorsError.self) { try Self.sampleFile().write(to: url) }
    guard case .writeFailed(let path, let reason) = error else {
      Issue.record("expected writeFailed, got \(String(describing: error))")
      return
    }
    #expect(path == url.path && reason.contains("cannot create temporary file"))
    #expect(error!.description.contains(url.path))
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory.url.path).isEmpty)
  }

  @Test func typedAccessorsRefuseOtherDtypes() {
    let half = SafetensorsTensor(dtype: .F16, shape: [1], bytes: Data([0, 0x3C]))
    #expect(half.float32Values == nil && half.int64Values == nil)
    #expect(SafetensorsTensor(shape: [1], int64: [3]).float32Values == nil)
    #expect(SafetensorsDType.allCases.map(\.byteSize) == [8, 4, 2, 2, 8, 4, 2, 1, 1, 1])
  }
}
