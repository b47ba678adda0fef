import Foundation
import Testing
@testable import Pipeline

@Suite struct StoreIntegrityTests {
  @Test func recordListsEveryOutputWithItsChecksumAndSize() throws {
    let bench = TestBench()
    let sweep = try Fixtures.sweep(bench.directory)
    try bench.run(sweep)
    let record = try #require(bench.plan(sweep)[StepID(.evaluate, "net_b-toyset-mfd1-s1")]?.record)
    #expect(record.outputs.map(\.path) == ["metrics.json", "result.txt"])
    for output in record.outputs {
      let url = bench.store.layout.outputsDirectory(record.key).appendingPathComponent(output.path)
      #expect(try SHA256Hex.ofFile(url) == output.sha256)
      #expect(Int64(try Data(contentsOf: url).count) == output.size)
    }
    #expect(!FileManager.default.fileExists(atPath: bench.store.layout.scratchDirectory(record.key).path))
  }

  @Test func flippedByteIsCaughtByVerifyPlannedAsCorruptAndRedone() throws {
    let bench = TestBench()
    let sweep = try Fixtures.sweep(bench.directory)
    try bench.run(sweep)
    let id = StepID(.train, "net_a-toyset-mfd1-s1")
    let record = try #require(bench.plan(sweep)[id]?.record)
    let file = bench.store.layout.outputsDirectory(record.key).appendingPathComponent("result.txt")
    var bytes = try Data(contentsOf: file)
    bytes[3] ^= 0x01
    try bytes.write(to: file)

    #expect(bench.plan(sweep)[id]?.reason == .upToDate)  // Same size: only a full re-hash can tell.
    let (verified, findings) = StoreVerifier.verifyAll(bench.store)
    #expect(findings.map(\.id) == [id])
    #expect(verified == sweep.graph.steps.count - 1)
    guard case .corrupt(let problem) = try #require(bench.plan(sweep, depth: .full)[id]).reason else {
      Issue.record("not planned as corrupt")
      return
    }
    #expect(problem.contains("result.txt"))

    let before = bench.runner.count(id)
    _ = try LocalExecutor(store: bench.store, registry: bench.registry, options: ExecutionOptions(jobs: 1, totalThreads: 2))
      .execute(bench.plan(sweep, depth: .full))
    #expect(bench.runner.count(id) == before + 1)
    #expect(StoreVerifier.verifyAll(bench.store).findings.isEmpty)
  }

  @Test func truncatedOutputIsCorruptAtPlanTime() throws {
    let bench = TestBench()
    let sweep = try Fixtures.sweep(bench.directory)
    try bench.run(sweep)
    let id = StepID(.preprocess, "toyset")
    let record = try #require(bench.plan(sweep)[id]?.record)
    try Data().write(to: bench.store.layout.outputsDirectory(record.key).appendingPathComponent("result.txt"))
    guard case .corrupt = try #require(bench.plan(sweep)[id]).reason else {
      Issue.record("a size mismatch must show at plan time")
      return
    }
  }

  @Test func crashMidwayLeavesNoRecordIsIncompleteAndResumesWithoutRerunningFinishedSteps() throws {
    let bench = TestBench()
    let sweep = try Fixtures.sweep(bench.directory)
    let crashing = StepID(.train, "net_b-toyset-softmax-s0")
    bench.runner.set(.crashMidway, for: crashing)
    let first = try bench.run(sweep, options: ExecutionOptions(jobs: 1, totalThreads: 2, keepGoing: true))
    #expect(!first.succeeded)
    if case .failed = first.outcomes[crashing] {} else { Issue.record("the crash must fail the step") }
    #expect(first.outcomes[StepID(.evaluate, crashing.name)] == .skipped(blockedBy: crashing))

    let plan = bench.plan(sweep)
    #expect(plan[crashing]?.reason == .incomplete)
    let key = try #require(plan[crashing]?.key)
    #expect(!FileManager.default.fileExists(atPath: bench.store.layout.recordFile(key).path))

    let ranBefore = Dictionary(bench.runner.executions.map { ($0, 1) }, uniquingKeysWith: +)
    let second = try bench.run(sweep)
    #expect(second.succeeded)
    let ranAfter = Dictionary(bench.runner.executions.map { ($0, 1) }, uniquingKeysWith: +)
    for (id, count) in ranBefore where id != crashing { #expect(ranAfter[id] == count, "\(id) ran twice") }
    #expect(ranAfter[crashing] == 2)
    #expect(bench.runner.resumedFromCheckpoint == [crashing])  // The work directory survived the crash.
    let record = try #require(bench.plan(sweep)[crashing]?.record)
    #expect(record.outputs.map(\.path) == ["result.txt"])  // The crashed attempt's partial file is gone.
  }
}
