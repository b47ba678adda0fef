import Foundation

/// `mfd gc`: mark and sweep. Roots are the keys of every step of the given sweeps (all manifests at
/// all their profiles, by default); everything else in `steps/`, `scratch/` and `locks/` is removed.
public enum GarbageCollector {
  public struct Removal: Sendable, Equatable {
    public let key: StepKey
    public let id: StepID?
    /// Bytes freed.
    public let bytes: Int64
    /// True for an abandoned attempt (scratch space), false for a stored result.
    public let isScratch: Bool
  }

  /// Keys referenced by `plans`: planned keys, including those of steps that will run (their scratch
  /// space holds checkpoints worth keeping).
  public static func referencedKeys(_ plans: [Plan]) -> Set<StepKey> {
    Set(plans.flatMap { $0.entries.compactMap(\.key) })
  }

  /// Removes (or with `dryRun` only lists) what `referenced` does not contain. Hold the store lock.
  public static func collect(_ store: ArtifactStore, keeping referenced: Set<StepKey>, dryRun: Bool) throws -> [Removal] {
    var removals: [Removal] = []
    for key in store.storedKeys() where !referenced.contains(key) {
      removals.append(Removal(key: key, id: StoreVerifier.recordedID(store, key),
                              bytes: size(of: store.layout.stepDirectory(key)), isScratch: false))
    }
    for key in store.scratchKeys() where !referenced.contains(key) {
      removals.append(Removal(key: key, id: nil, bytes: size(of: store.layout.scratchDirectory(key)), isScratch: true))
    }
    if !dryRun {
      for removal in removals {
        let url = removal.isScratch ? store.layout.scratchDirectory(removal.key) : store.layout.stepDirectory(removal.key)
        try FileManager.default.removeItem(at: url)
      }
      try removeLockFiles(store.layout, keeping: referenced)
    }
    return removals
  }

  /// The empty per-key lock files (`locks/<key>`) of keys no plan references: a writer of such a
  /// key could only be a step no manifest asks for any more. Referenced keys keep theirs, since a
  /// Slurm job may hold one without the store lock.
  static func removeLockFiles(_ layout: StoreLayout, keeping referenced: Set<StepKey>) throws {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: layout.locksRoot.path)) ?? []
    for name in names where !referenced.contains(StepKey(hex: name)) {
      try FileManager.default.removeItem(at: layout.locksRoot.appendingPathComponent(name))
    }
  }

  static func size(of directory: URL) -> Int64 {
    guard let enumerator = FileManager.default.enumerator(atPath: directory.path) else { return 0 }
    var total: Int64 = 0
    while let relative = enumerator.nextObject() as? String {
      let attributes = try? FileManager.default.attributesOfItem(atPath: directory.path + "/" + relative)
      if attributes?[.type] as? FileAttributeType == .typeRegular { total += (attributes?[.size] as? NSNumber)?.int64Value ?? 0 }
    }
    return total
  }
}
