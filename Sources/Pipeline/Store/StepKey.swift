import Crypto
import Foundation

/// The content address of one step execution: SHA-256 (hex) over the hashing-scheme version, the
/// kind, the canonical JSON of the resolved config, the code version and each input's output digest.
/// No timestamps, paths or session ids: equal work has an equal key on any machine, any day.
public struct StepKey: Sendable, Hashable, Codable, CustomStringConvertible {
  /// 64 lowercase hex digits.
  public let hex: String

  public init(hex: String) { self.hex = hex }

  /// - Parameter inputs: (input step id, that step's `StepRecord.outputDigest`) in the step's input order.
  public static func compute(kind: StepKind, config: ConfigValue, codeVersion: String,
                             inputs: [(id: StepID, digest: String)]) -> StepKey {
    let preimage = ConfigValue.object([
      "scheme": .int(HashingScheme.version),
      "kind": .string(kind.rawValue),
      "config": config,
      "code": .string(codeVersion),
      "inputs": .array(inputs.map { .object(["id": .string($0.id.description), "digest": .string($0.digest)]) }),
    ])
    return StepKey(hex: SHA256Hex.of(Data(preimage.canonicalJSON.utf8)))
  }

  /// The first 12 hex digits, enough to tell keys apart in listings.
  public var short: String { String(hex.prefix(12)) }
  public var description: String { short }

  public init(from decoder: Decoder) throws { hex = try decoder.singleValueContainer().decode(String.self) }
  public func encode(to encoder: Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(hex)
  }
}

/// SHA-256 as lowercase hex, of bytes or of a file read in 1 MiB chunks (artifacts can be GBs).
public enum SHA256Hex {
  public static func of(_ data: Data) -> String { hex(SHA256.hash(data: data)) }

  public static func ofFile(_ url: URL) throws -> String {
    let handle = try FileHandle(forReadingFrom: url)
    defer { try? handle.close() }
    var hasher = SHA256()
    while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty { hasher.update(data: chunk) }
    return hex(hasher.finalize())
  }

  private static func hex(_ digest: SHA256.Digest) -> String {
    digest.map { byte in
      let text = String(byte, radix: 16)
      return byte < 16 ? "0" + text : text
    }.joined()
  }
}
