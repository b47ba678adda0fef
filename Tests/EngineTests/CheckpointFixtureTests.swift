import Engine
import Foundation
import Testing
import TestSupport

/// Files written by PyTorch (`scripts/fixtures/safetensors_fixtures.py`) and a golden file written
/// by our writer, which that script's `--verify` mode checks opens in PyTorch.
@Suite struct CheckpointFixtureTests {
  @Test func pytorchStateDictFixtureInitialisesModel() throws {
    let model = TinyNet()
    model.initialise(seed: 5)
    let result = try Checkpoint.load(from: fixtureURL("safetensors_pytorch_state"), into: model)

    #expect(result.metadata == ["epoch": "3", "writer": "safetensors.torch.save_file"])
    for (name, shape, base) in FixtureState.floats {
      #expect(stateSnapshot(model)[name] == FixtureState.ramp(shape, base: base), "\(name)")
    }
    #expect(model.stem.batches.value == 7)
    #expect(model.head.layers[0].batches.value == 11)
  }

  @Test func pytorchDtypesFixtureReadsEveryDtypeAsRawBytes() throws {
    let file = try SafetensorsFile(contentsOf: fixtureURL("safetensors_pytorch_dtypes"))
    let t = file.tensors
    #expect(file.metadata == ["format": "pt"])
    #expect(t.count == 11)
    #expect(t["f32"]?.shape == [1, 3] && t["f32"]?.float32Values == [0.5, -1, 3])
    #expect(t["i64"]?.int64Values == [-3, 1 << 40])
    #expect(t["empty"]?.shape == [0, 3] && t["empty"]?.float32Values == [])
    let f64 = t["f64"].map { tensor in
      tensor.bytes.withUnsafeBytes { raw in
        (0..<2).map { Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * $0, as: UInt64.self))) }
      }
    }
    #expect(f64 == [1.5, -2.25])
    let expectedBytes: [String: (SafetensorsDType, [UInt8])] = [
      "f16": (.F16, [0x00, 0x3C, 0x00, 0xC0, 0x00, 0x38]),  // 1, -2, 0.5
      "bf16": (.BF16, [0x80, 0x3F, 0x00, 0xC0]),            // 1, -2
      "i32": (.I32, [0xF9, 0xFF, 0xFF, 0xFF]),              // -7
      "i16": (.I16, [0x2C, 0x01, 0xFE, 0xFF]),              // 300, -2
      "i8": (.I8, [0xFF, 0x05, 0x07]),
      "u8": (.U8, [0xFF, 0x00, 0x01]),
      "bool": (.BOOL, [0x01, 0x00, 0x01]),
    ]
    for (name, (dtype, bytes)) in expectedBytes {
      #expect(t[name]?.dtype == dtype, "\(name)")
      #expect(t[name].map { Array($0.bytes) } == bytes, "\(name)")
    }
  }

  /// Our writer reproduces PyTorch's bytes exactly: same layout order, JSON and padding.
  @Test func reserialisingAPyTorchFileReproducesItsBytes() throws {
    let url = fixtureURL("safetensors_pytorch_dtypes")
    let original = try Data(contentsOf: url)
    #expect(try SafetensorsFile(contentsOf: url).serialized() == original)
  }

  /// The committed golden file is what our writer produces for the fixture state; the script's
  /// `--verify` checks that file in PyTorch. On a deliberate format change, replace the golden
  /// file with the one this test writes to the temporary directory and re-run `--verify`.
  @Test func swiftCheckpointMatchesGoldenFile() throws {
    let model = FixtureState.model()
    let sgd = SGD(parameters: model.namedParameters(), learningRate: 0.1)
    var momentum: [String: Tensor] = [:]
    for (name, shape, base) in FixtureState.floats where sgd.parameters.contains(where: { $0.name == name }) {
      momentum[name] = Tensor(shape: shape, values: FixtureState.ramp(shape, base: base / 2, step: -0.03125))
    }
    try sgd.restoreMomentumBuffers(momentum)
    let metadata = ["epoch": "3", "rng": "[1,2,3,4]", "writer": "mfd-repro"]
    let bytes = try Checkpoint.contents(of: model, optimizer: sgd, metadata: metadata).serialized()

    let golden = try? Data(contentsOf: fixtureURL("safetensors_swift_checkpoint"))
    if bytes != golden {
      let actual = FileManager.default.temporaryDirectory
        .appendingPathComponent("safetensors_swift_checkpoint.safetensors")
      try bytes.write(to: actual)
      Issue.record("writer output differs from the golden file; actual bytes written to \(actual.path)")
    }
    let reloaded = TinyNet()
    let reloadedSGD = SGD(parameters: reloaded.namedParameters(), learningRate: 0.1)
    let result = try Checkpoint.restore(try SafetensorsFile.decode(bytes, path: "golden"),
                                        path: "golden", into: reloaded, optimizer: reloadedSGD)
    #expect(result.metadata == metadata)
    #expect(stateSnapshot(reloaded) == stateSnapshot(model))
    #expect(reloadedSGD.namedMomentumBuffers.map(\.buffer.values) == sgd.namedMomentumBuffers.map(\.buffer.values))
  }
}

/// The state table of `scripts/fixtures/safetensors_fixtures.py`: each float entry is
/// base + 0.0625·i (exact in Float32), the counters are 7 and 11.
enum FixtureState {
  static let floats: [(name: String, shape: [Int], base: Float)] = [
    ("stem.weight", [4, 3], -1.0), ("stem.bias", [4], 0.5), ("stem.running_mean", [4], 0.25),
    ("head.0.weight", [2, 4], -0.75), ("head.0.bias", [2], 2.0), ("head.0.running_mean", [2], -0.5),
  ]

  static func ramp(_ shape: [Int], base: Float, step: Float = 0.0625) -> [Float] {
    (0..<shape.reduce(1, *)).map { base + step * Float($0) }
  }

  /// A TinyNet holding the table's values.
  static func model() -> TinyNet {
    let model = TinyNet()
    let state = Dictionary(uniqueKeysWithValues: model.namedState().map { ($0.name, $0.entry) })
    for (name, shape, base) in floats {
      switch state[name]! {
      case .parameter(let p): p.value.pointer.update(from: ramp(shape, base: base), count: p.value.count)
      case .buffer(let t): t.pointer.update(from: ramp(shape, base: base), count: t.count)
      case .counter: Issue.record("\(name) is not a float entry")
      }
    }
    model.stem.batches.value = 7
    model.head.layers[0].batches.value = 11
    return model
  }
}
