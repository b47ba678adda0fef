import Engine
import Foundation
import Testing
import TestSupport

/// The MFD loss against PyTorch's autograd of the authors' formula (scripts/fixtures, `mfd`):
/// a [4, 6, 3, 3] batch with one strongly correlated channel pair, golden values in float64.
@Suite struct MFDLossFixtureTests {
  @Test func lossAndGradientMatchPyTorch() throws {
    let fixture = try readFloat32SafeTensors(fixtureURL("mfd"))
    let x = try #require(fixture["x"])
    let expectedLoss = try #require(fixture["loss"]).values[0]
    let expectedGradient = try #require(fixture["dx"])
    #expect(x.shape == [4, 6, 3, 3])
    #expect(expectedLoss > 0)

    let input = Tensor(shape: x.shape, values: x.values)
    let loss = MFDLoss()
    let value = loss.value(input)
    #expect(abs(value - expectedLoss) <= 1e-5 * expectedLoss)
    #expect(maxScaledError(loss.gradient().values, expectedGradient.values) < 1e-5)
  }
}

/// The float32 tensors of a .safetensors file: an 8-byte little-endian header length, a JSON
/// header {name: {dtype, shape, data_offsets}}, then the raw little-endian data.
/// Test-only; the checkpoint module's reader should replace it when it lands.
private func readFloat32SafeTensors(_ url: URL) throws -> [String: (shape: [Int], values: [Float])] {
  let data = try Data(contentsOf: url)
  let headerLength = data.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
  let header = try JSONSerialization.jsonObject(with: data.subdata(in: 8..<(8 + headerLength)))
  guard let entries = header as? [String: Any] else { throw CocoaError(.fileReadCorruptFile) }
  var tensors = [String: (shape: [Int], values: [Float])]()
  for (name, entry) in entries {
    guard let entry = entry as? [String: Any], entry["dtype"] as? String == "F32",
          let shape = entry["shape"] as? [Int], let offsets = entry["data_offsets"] as? [Int]
    else { continue }
    let bytes = data.subdata(in: (8 + headerLength + offsets[0])..<(8 + headerLength + offsets[1]))
    let values = bytes.withUnsafeBytes { raw in
      (0..<(bytes.count / 4)).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self))) }
    }
    tensors[name] = (shape, values)
  }
  return tensors
}
