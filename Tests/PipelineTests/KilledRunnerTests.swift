import Foundation
import Testing
@testable import Pipeline

/// SIGKILL in the middle of a sweep (and the live status another process sees before it): a child process (this test binary, running only
/// `childRunnerThatGetsKilled`) runs the toy sweep until a step hangs; the parent kills it with
/// SIGKILL and resumes in-process.
@Suite struct KilledRunnerTests {
  static let storeVariable = "MFD_PIPELINE_KILL_TEST_DIRECTORY"
  static let hangingStep = StepID(.train, "net_b-toyset-softmax-s1")

  /// Runs only as the child of `sigkilledRunnerLosesNoFinishedWorkAndLeavesNoLock`.
  @Test(.enabled(if: ProcessInfo.processInfo.environment[storeVariable] != nil))
  func childRunnerThatGetsKilled() throws {
    let directory = URL(fileURLWithPath: ProcessInfo.processInfo.environment[Self.storeVariable]!)
    let manifest = try ManifestLoader.load(path: directory.appendingPathComponent("toy.yaml").path)
    let sweep = Sweep(manifest: manifest, profile: try manifest.resolveProfile("smoke"))
    let runner = FakeStepRunner()
    runner.set(.hangUntilKilled(marker: directory.appendingPathComponent("hanging").path), for: Self.hangingStep)
    let store = ArtifactStore(layout: StoreLayout(root: directory.appendingPathComponent("store")))
    let lock = try StoreLock.acquire(store.layout, wait: false)
    let plan = Planner(store: store, registry: .fake(runner), costModel: nil, jobs: 1, totalThreads: 2).plan(sweep.graph)
    _ = try LocalExecutor(store: store, registry: .fake(runner), options: ExecutionOptions(jobs: 1, totalThreads: 2)).execute(plan)
    lock.release()
  }

  @Test(.enabled(if: ProcessInfo.processInfo.environment[storeVariable] == nil))
  func sigkilledRunnerLosesNoFinishedWorkAndLeavesNoLock() throws {
    let directory = TemporaryDirectory()
    let manifest = try Fixtures.load(directory)
    let sweep = Sweep(manifest: manifest, profile: try manifest.resolveProfile("smoke"))
    let layout = StoreLayout(root: directory.url.appendingPathComponent("store"))

    let child = Process()
    child.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
    child.arguments = ["--testing-library", "swift-testing", "--filter", "childRunnerThatGetsKilled"]
    child.environment = ProcessInfo.processInfo.environment.merging([Self.storeVariable: directory.path]) { $1 }
    child.standardOutput = FileHandle.nullDevice
    child.standardError = FileHandle.nullDevice
    try child.run()
    defer { if child.isRunning { kill(child.processIdentifier, SIGKILL) } }
    let marker = directory.url.appendingPathComponent("hanging").path
    try #require(waitUntil { FileManager.default.fileExists(atPath: marker) || !child.isRunning }, "the child never reached the hanging step")
    try #require(child.isRunning, "the child exited before hanging")
    #expect(StoreLock.isHeld(layout))
    // What `mfd status` shows from another process while the runner works: read without the lock.
    let live = try #require(LiveStatus.read(layout))
    #expect(live.pid == child.processIdentifier && live.state == "running")
    #expect(live.running.map(\.id) == [Self.hangingStep])
    #expect(live.finished >= 3 && live.total == sweep.graph.steps.count)
    kill(child.processIdentifier, SIGKILL)
    child.waitUntilExit()
    #expect(child.terminationReason == .uncaughtSignal)

    // The kernel dropped the lock; nothing to clean by hand.
    #expect(!StoreLock.isHeld(layout))
    let store = ArtifactStore(layout: layout)
    let runner = FakeStepRunner()
    let planner = Planner(store: store, registry: .fake(runner), costModel: nil, jobs: 1, totalThreads: 2)
    let plan = planner.plan(sweep.graph)
    #expect(plan[Self.hangingStep]?.reason == .incomplete)
    let finishedBeforeKill = Set(plan.entries.filter { $0.reason == .upToDate }.map(\.step.id))
    #expect(finishedBeforeKill.count >= 3)  // fetch, preprocess and the trains before the hanging one.

    let lock = try StoreLock.acquire(layout, wait: false)
    let summary = try LocalExecutor(store: store, registry: .fake(runner), options: ExecutionOptions(jobs: 1, totalThreads: 2))
      .execute(plan)
    lock.release()
    #expect(summary.succeeded)
    #expect(Set(runner.executions).isDisjoint(with: finishedBeforeKill), "a finished step ran twice")
    #expect(runner.resumedFromCheckpoint == [Self.hangingStep])

    // The resumed table is byte-identical to an uninterrupted run's.
    let reference = TestBench()
    let referenceSweep = try Fixtures.sweep(reference.directory)
    try reference.run(referenceSweep)
    let resumed = try TableReport(manifest: manifest, profile: sweep.profile, plan: planner.plan(sweep.graph), store: store)
    let uninterrupted = try TableReport(manifest: referenceSweep.manifest, profile: referenceSweep.profile,
                                        plan: reference.plan(referenceSweep), store: reference.store)
    #expect(resumed.markdown == uninterrupted.markdown && resumed.csv == uninterrupted.csv)
  }
}
