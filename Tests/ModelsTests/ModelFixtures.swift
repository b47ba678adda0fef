import Engine
import Foundation
import Models
import TestSupport

/// `count` values in [0, 1) from the integer hash of `hashed_uniform` in
/// `scripts/fixtures/model_fixtures.py` (a murmur3-style finaliser), bit for bit.
func hashedUniform(_ name: String, count: Int) -> [Double] {
  let seed = UInt32(truncatingIfNeeded: name.utf8.reduce(0) { $0 + Int($1) } * 7919)
  return (0..<count).map { i in
    var x = UInt32(truncatingIfNeeded: i) &+ seed
    x ^= x >> 16
    x = x &* 0x7FEB_352D
    x ^= x >> 15
    x = x &* 0x846C_A68B
    x ^= x >> 16
    return Double(x) / 4_294_967_296
  }
}

/// Fills every parameter as `formula_weights` does, so PyTorch and we start from identical
/// weights without storing them: conv/linear weights in ±1/√fan_in, BN scales in 1 ± 0.2,
/// biases in ±0.1.
func applyFormulaWeights(_ network: any Layer) {
  for (name, parameter) in network.namedParameters() {
    let value = parameter.value
    let u = hashedUniform(name, count: value.count)
    for i in 0..<value.count {
      let v: Double
      if value.shape.count > 1 {
        v = (2 * u[i] - 1) / Double(value.count / value.shape[0]).squareRoot()
      } else if name.hasSuffix("weight") {
        v = 1 + 0.2 * (2 * u[i] - 1)
      } else {
        v = 0.1 * (2 * u[i] - 1)
      }
      value[i] = Float(v)
    }
  }
}

/// The committed model fixtures (`Tests/ModelsTests/Fixtures`).
func modelFixtureURL(_ file: String) -> URL {
  URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/\(file)")
}

/// torchvision's (and kuangliu's) state-dict entries per architecture: [[name, shape]].
func referenceStateDictNames() throws -> [String: [(name: String, shape: [Int])]] {
  let data = try Data(contentsOf: modelFixtureURL("state_dict_names.json"))
  let json = try JSONSerialization.jsonObject(with: data) as! [String: [[Any]]]
  return json.mapValues { entries in
    entries.map { ($0[0] as! String, ($0[1] as! [NSNumber]).map(\.intValue)) }
  }
}
