import Foundation
import Testing
@testable import Pipeline

/// Collects observer events (thread-safe).
final class RecordingObserver: ExecutionObserver, @unchecked Sendable {
  private let lock = NSLock()
  private(set) var started: [StepID] = []
  private(set) var progressed: [StepID] = []
  private(set) var finished: [(StepID, StepOutcome, Int, Int)] = []

  func stepStarted(_ id: StepID, threads: Int, attempt: Int) { lock.withLock { started.append(id) } }
  func stepProgressed(_ id: StepID, _ progress: StepProgress, etaSeconds: Double?) { lock.withLock { progressed.append(id) } }
  func stepFinished(_ id: StepID, _ outcome: StepOutcome, finished count: Int, total: Int) {
    lock.withLock { finished.append((id, outcome, count, total)) }
  }
}

@Suite struct ExecutorTests {
  @Test func concurrentStepsShareTheThreadsAndRespectDependencies() throws {
    let bench = TestBench()
    let sweep = try Fixtures.sweep(bench.directory)
    let observer = RecordingObserver()
    let summary = try LocalExecutor(store: bench.store, registry: bench.registry,
                                    options: ExecutionOptions(jobs: 2, totalThreads: 4), observer: observer)
      .execute(bench.plan(sweep))
    #expect(summary.succeeded)
    #expect(bench.runner.threadCounts.values.allSatisfy { $0 == 2 })
    #expect(bench.runner.maxConcurrent <= 2)
    // Every step started after all its inputs finished.
    let order = observer.finished.map(\.0)
    for step in sweep.graph.steps {
      guard let started = observer.started.firstIndex(of: step.id) else { continue }
      for input in step.inputs {
        let finishedAt = try #require(order.firstIndex(of: input))
        #expect(observer.started.firstIndex(of: input)! < started && finishedAt < order.firstIndex(of: step.id)!)
      }
    }
    #expect(observer.finished.last?.2 == sweep.graph.steps.count && observer.finished.last?.3 == sweep.graph.steps.count)
    #expect(Set(observer.progressed) == Set(sweep.graph.steps.map(\.id)))
  }

  @Test func withoutKeepGoingAFailureStartsNothingNew() throws {
    let bench = TestBench()
    let sweep = try Fixtures.sweep(bench.directory)
    let failing = StepID(.preprocess, "toyset")
    bench.runner.set(.fail, for: failing)
    let summary = try bench.run(sweep)
    #expect(summary.failures.map(\.0) == [failing])
    #expect(bench.runner.executions == [StepID(.fetch, "toyset"), failing])
    #expect(summary.outcomes.values.filter { $0 == .notStarted || { if case .skipped = $0 { return true }; return false }($0) }.count
            == sweep.graph.steps.count - 2)
  }

  @Test func keepGoingRunsEverythingThatDoesNotDependOnTheFailure() throws {
    let bench = TestBench()
    let sweep = try Fixtures.sweep(bench.directory)
    let failing = StepID(.train, "net_a-toyset-softmax-s1")
    bench.runner.set(.fail, for: failing)
    let summary = try bench.run(sweep, options: ExecutionOptions(jobs: 1, totalThreads: 2, keepGoing: true))
    #expect(summary.failures.map(\.0) == [failing])
    #expect(summary.outcomes[StepID(.evaluate, failing.name)] == .skipped(blockedBy: failing))
    #expect(summary.outcomes[StepID(.aggregate, "toy")] == .skipped(blockedBy: StepID(.evaluate, failing.name)))
    let completed = summary.outcomes.values.filter { if case .completed = $0 { return true }; return false }.count
    #expect(completed == sweep.graph.steps.count - 3)
  }

  @Test func retriesRerunATransientFailure() throws {
    let bench = TestBench()
    let sweep = try Fixtures.sweep(bench.directory)
    let flaky = StepID(.fetch, "toyset")
    bench.runner.set(.failTimes(2), for: flaky)
    let summary = try bench.run(sweep, options: ExecutionOptions(jobs: 1, totalThreads: 2, retries: 2))
    #expect(summary.succeeded)
    #expect(bench.runner.count(flaky) == 3)
  }

  @Test func stopRequestEndsCleanlyAndTheStoppedStepResumesNextRun() throws {
    let bench = TestBench()
    let sweep = try Fixtures.sweep(bench.directory)
    let long = StepID(.train, "net_a-toyset-softmax-s0")
    bench.runner.set(.waitForCancellation, for: long)
    let cancellation = CancellationToken()
    let observer = StopOnProgress(of: long, cancellation: cancellation)
    let summary = try LocalExecutor(store: bench.store, registry: bench.registry,
                                    options: ExecutionOptions(jobs: 1, totalThreads: 2, retries: 3), observer: observer,
                                    cancellation: cancellation).execute(bench.plan(sweep))
    #expect(summary.cancelled && !summary.succeeded)
    #expect(summary.outcomes[long] == .cancelled)
    #expect(bench.runner.count(long) == 1)  // A stop request is never retried.
    #expect(summary.outcomes.values.contains(.notStarted))
    #expect(LiveStatus.read(bench.store.layout)?.state == "stopped")
    #expect(bench.plan(sweep)[long]?.reason == .incomplete)

    bench.runner.set(nil, for: long)
    #expect(try bench.run(sweep).succeeded)
    #expect(bench.plan(sweep).toRun.isEmpty)
  }

  @Test func missingRunnersAreNamedBeforeAnythingRuns() throws {
    let bench = TestBench()
    let sweep = try Fixtures.sweep(bench.directory)
    let executor = LocalExecutor(store: bench.store, registry: .builtIn, options: ExecutionOptions())
    #expect {
      _ = try executor.execute(bench.plan(sweep, registry: .builtIn))
    } throws: { error in
      let error = error as? MissingRunnersError
      return error?.kinds == [.fetch, .preprocess, .train, .evaluate] && error?.description.contains("fetch, preprocess, train, evaluate") == true
    }
    #expect(bench.store.storedKeys().isEmpty && bench.store.scratchKeys().isEmpty)
  }

  @Test func liveStatusShowsTheRunningStepWithItsProgress() throws {
    let bench = TestBench()
    let sweep = try Fixtures.sweep(bench.directory)
    let long = StepID(.fetch, "toyset")
    bench.runner.set(.waitForCancellation, for: long)
    let cancellation = CancellationToken()
    let observer = StopOnProgress(of: long, cancellation: cancellation, layout: bench.store.layout)
    _ = try LocalExecutor(store: bench.store, registry: bench.registry, options: ExecutionOptions(statusInterval: 0),
                          observer: observer, cancellation: cancellation).execute(bench.plan(sweep))
    let seen = try #require(observer.statusSeen)
    #expect(seen.state == "running" && seen.pid == getpid())
    #expect(seen.running.map(\.id) == [long])
    #expect(seen.running.first?.progress?.epoch == 1 && seen.running.first?.progress?.loss == 1.5)
    #expect(seen.running.first?.etaSeconds != nil)
  }
}

/// Requests a stop when `id` first reports progress, and snapshots the live status file then.
final class StopOnProgress: ExecutionObserver, @unchecked Sendable {
  let id: StepID
  let cancellation: CancellationToken
  let layout: StoreLayout?
  private(set) var statusSeen: LiveStatus?

  init(of id: StepID, cancellation: CancellationToken, layout: StoreLayout? = nil) {
    self.id = id
    self.cancellation = cancellation
    self.layout = layout
  }

  func stepStarted(_ id: StepID, threads: Int, attempt: Int) {}
  func stepProgressed(_ id: StepID, _ progress: StepProgress, etaSeconds: Double?) {
    guard id == self.id else { return }
    if let layout { statusSeen = LiveStatus.read(layout) }
    cancellation.cancel()
  }
  func stepFinished(_ id: StepID, _ outcome: StepOutcome, finished: Int, total: Int) {}
}
