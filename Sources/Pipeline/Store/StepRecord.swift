import Foundation

/// The proof that a step finished: written last, atomically, next to its outputs.
public struct StepRecord: Sendable, Codable, Equatable {
  /// One output file, relative to the step's `outputs/` directory.
  public struct OutputFile: Sendable, Codable, Equatable {
    public let path: String
    public let sha256: String
    /// Bytes.
    public let size: Int64
  }

  /// One input as it was when the step ran.
  public struct Input: Sendable, Codable, Equatable {
    public let id: StepID
    public let key: StepKey
    public let digest: String
  }

  public let scheme: Int
  public let key: StepKey
  public let id: StepID
  public let config: ConfigValue
  public let codeVersion: String
  public let inputs: [Input]
  /// Sorted by path.
  public let outputs: [OutputFile]
  /// Provenance only (never hashed): wall time in seconds, finish time (ISO 8601), host, pid.
  public let seconds: Double
  public let finishedAt: String
  public let host: String
  public let pid: Int32
  /// The hardware it ran on (`MachineDescription`), so measured times and memory name their
  /// machine; nil in records written before it existed.
  public let machine: String?

  /// SHA-256 over the sorted `path NUL sha256 NUL size LF` lines: what a reader of these outputs
  /// hashes into its own key.
  public var outputDigest: String {
    Self.digest(of: outputs)
  }

  static func digest(of outputs: [OutputFile]) -> String {
    let lines = outputs.sorted { $0.path < $1.path }.map { "\($0.path)\u{0}\($0.sha256)\u{0}\($0.size)\n" }
    return SHA256Hex.of(Data(lines.joined().utf8))
  }
}
