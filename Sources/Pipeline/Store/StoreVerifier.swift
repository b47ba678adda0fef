import Foundation

/// `mfd verify`: re-hashes every stored output against its record.
public enum StoreVerifier {
  public struct Finding: Sendable, Equatable {
    public let key: StepKey
    /// From the record or the index, when known.
    public let id: StepID?
    /// `.corrupt` or `.incomplete`.
    public let state: ArtifactState
  }

  /// Every key in the store that is not done-and-verified, and how many verified.
  public static func verifyAll(_ store: ArtifactStore) -> (verified: Int, findings: [Finding]) {
    var verified = 0
    var findings: [Finding] = []
    for key in store.storedKeys() {
      let state = store.state(of: key, depth: .full)
      if case .done = state { verified += 1; continue }
      findings.append(Finding(key: key, id: recordedID(store, key), state: state))
    }
    for key in store.scratchKeys() where !store.storedKeys().contains(key) {
      findings.append(Finding(key: key, id: nil, state: .incomplete))
    }
    return (verified, findings)
  }

  /// The id a (possibly damaged) record names, if it can still be read.
  static func recordedID(_ store: ArtifactStore, _ key: StepKey) -> StepID? {
    guard let data = FileManager.default.contents(atPath: store.layout.recordFile(key).path) else { return nil }
    return (try? JSONDecoder().decode(StepRecord.self, from: data))?.id
  }
}
