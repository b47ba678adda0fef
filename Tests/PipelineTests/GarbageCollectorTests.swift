import Foundation
import Testing
@testable import Pipeline

@Suite struct GarbageCollectorTests {
  @Test func gcRemovesOnlyWhatNoPlanReferencesAndDryRunRemovesNothing() throws {
    let bench = TestBench()
    let old = try Fixtures.sweep(bench.directory)
    try bench.run(old)
    let current = try Fixtures.sweep(bench.directory, set: ["schedule.epochs=2"])
    try bench.run(current)
    // An abandoned attempt of a key no manifest uses any more.
    let abandoned = StepKey(hex: String(repeating: "ab", count: 32))
    _ = try bench.store.prepareScratch(for: abandoned)
    // Its per-key lock file, and one of a key that is still referenced.
    let locks = bench.store.layout.locksRoot
    try FileManager.default.createDirectory(at: locks, withIntermediateDirectories: true)
    let kept = try #require(bench.plan(current).entries.first?.key)
    for key in [abandoned, kept] { _ = FileManager.default.createFile(atPath: bench.store.layout.stepLockFile(key).path, contents: nil) }

    let stale = Set(bench.plan(old).entries.compactMap(\.key)).subtracting(bench.plan(current).entries.compactMap(\.key))
    // 8 train + 8 evaluate. fetch and preprocess are shared, and so is the aggregate: the fake
    // evaluate outputs are byte-identical, so its input digests and therefore its key are equal.
    #expect(stale.count == 16)
    let referenced = GarbageCollector.referencedKeys([bench.plan(current)])
    let preview = try GarbageCollector.collect(bench.store, keeping: referenced, dryRun: true)
    #expect(Set(preview.filter { !$0.isScratch }.map(\.key)) == stale)
    #expect(preview.filter(\.isScratch).map(\.key) == [abandoned])
    #expect(preview.allSatisfy { $0.bytes > 0 || $0.isScratch })
    #expect(bench.store.storedKeys().count == 19 + 16)

    let removed = try GarbageCollector.collect(bench.store, keeping: referenced, dryRun: false)
    #expect(removed == preview)
    #expect(bench.store.storedKeys().count == 19 && bench.store.scratchKeys().isEmpty)
    // The runs' own lock files of the 16 stale keys go too; referenced keys keep theirs.
    let remaining = Set(try FileManager.default.contentsOfDirectory(atPath: locks.path))
    #expect(remaining.contains(kept.hex) && !remaining.contains(abandoned.hex))
    #expect(remaining.allSatisfy { referenced.contains(StepKey(hex: $0)) } && stale.allSatisfy { !remaining.contains($0.hex) })
    #expect(bench.plan(current).toRun.isEmpty)
    #expect(bench.plan(old)[StepID(.train, "net_a-toyset-softmax-s0")]?.reason == .configChanged(["settings.schedule.epochs"]))
  }

  @Test func storeLocationIsTheOptionThenTheEnvironmentThenTheRepository() {
    let repository = URL(fileURLWithPath: "/repo")
    #expect(StoreLayout.resolve(option: "/o", environment: ["MFD_STORE": "/e"], repositoryRoot: repository).root.path == "/o")
    #expect(StoreLayout.resolve(option: nil, environment: ["MFD_STORE": "/e"], repositoryRoot: repository).root.path == "/e")
    #expect(StoreLayout.resolve(option: nil, environment: [:], repositoryRoot: repository).root.path == "/repo/.mfd")
  }
}
