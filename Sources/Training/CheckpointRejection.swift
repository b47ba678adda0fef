/// A checkpoint file that was found but not used, and why. A rejected checkpoint is never
/// loaded; the run falls back to the previous intact one, or starts from scratch.
public struct CheckpointRejection: Error, Sendable, Equatable, Codable, CustomStringConvertible {
  /// The file at fault (the sidecar or the weights file).
  public var path: String
  public var reason: String

  public init(path: String, reason: String) {
    self.path = path
    self.reason = reason
  }

  public var description: String { "checkpoint \(path) rejected: \(reason)" }
}

/// What a run found in its checkpoint directory when it started.
public struct ResumeReport: Sendable, Equatable {
  /// The sidecar of the checkpoint loaded, or nil when the run starts from scratch.
  public var loaded: String?
  /// Epochs already finished (0 from scratch).
  public var epochsCompleted: Int
  /// Every checkpoint found and not used, newest first.
  public var rejected: [CheckpointRejection]
  /// The thread count recorded in the loaded checkpoint, when it differs from this process's
  /// (the run continues, but is no longer bit-identical to an uninterrupted one).
  public var threadsChangedFrom: Int?
}
