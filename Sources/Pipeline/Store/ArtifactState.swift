/// What the store holds for one step key.
public enum ArtifactState: Sendable, Equatable {
  /// The record exists and verifies.
  case done(StepRecord)
  /// An attempt started (scratch space or outputs without a record) and did not finish.
  case incomplete
  /// The record exists but an output is missing or differs; `problem` says which and how.
  case corrupt(problem: String)
  /// Nothing for this key.
  case absent

  public var record: StepRecord? { if case .done(let record) = self { return record }; return nil }
}

/// How hard to check a record's outputs.
public enum VerificationDepth: Sendable {
  /// Existence and size of every output: cheap enough for every `plan`.
  case sizes
  /// Re-hash every byte (`mfd verify`).
  case full
}
