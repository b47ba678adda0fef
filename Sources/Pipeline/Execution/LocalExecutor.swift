import Dispatch
import Foundation

/// Runs a plan on this machine: up to `jobs` steps at once in dependency order, on `jobs` worker
/// threads with an equal share of the cores, committing each result to the store as it finishes.
///
/// Runners block (training is CPU-bound), so workers are dedicated `Thread`s, never tasks of Swift's
/// cooperative pool (which has one thread per core and would starve).
public final class LocalExecutor: @unchecked Sendable {
  public let store: ArtifactStore
  public let registry: StepRunnerRegistry
  public let options: ExecutionOptions
  public let observer: (any ExecutionObserver)?
  public let cancellation: CancellationToken

  // Everything below is guarded by `condition`.
  private let condition = NSCondition()
  private var records: [StepID: StepRecord] = [:]
  private var outcomes: [StepID: StepOutcome] = [:]
  private var running: Set<StepID> = []
  /// Steps of the plan not yet launched or settled, in topological order.
  private var pending: [Step] = []
  private var plannedKeys: [StepID: StepKey?] = [:]
  private var stopLaunching = false
  private var status: LiveStatus
  private var lastStatusWrite = 0.0

  public init(store: ArtifactStore, registry: StepRunnerRegistry, options: ExecutionOptions,
              observer: (any ExecutionObserver)? = nil, cancellation: CancellationToken = CancellationToken()) {
    self.store = store
    self.registry = registry
    self.options = options
    self.observer = observer
    self.cancellation = cancellation
    let now = Date().timeIntervalSince1970
    status = LiveStatus(pid: getpid(), startedAt: now, updatedAt: now, total: 0, finished: 0, failed: [], running: [], state: "running")
  }

  /// Executes every step of `plan` that has to run (once per executor). The caller holds the `StoreLock`.
  /// - Throws: `MissingRunnersError` before running anything when a kind to run has no runner.
  public func execute(_ plan: Plan) throws -> ExecutionSummary {
    let toRun = plan.toRun
    let missing = registry.missingKinds(for: toRun.map(\.step))
    guard missing.isEmpty else { throw MissingRunnersError(kinds: missing, stepCount: toRun.count) }

    condition.lock()
    for entry in plan.entries { if let record = entry.record { records[entry.step.id] = record } }
    pending = toRun.map(\.step)
    plannedKeys = Dictionary(uniqueKeysWithValues: toRun.map { ($0.step.id, $0.key) })
    status.total = pending.count
    writeStatus(force: true)
    condition.unlock()

    let workers = DispatchGroup()
    for index in 0..<options.jobs {
      workers.enter()
      let thread = Thread { [self] in
        workLoop()
        workers.leave()
      }
      thread.name = "mfd-step-worker-\(index)"
      thread.start()
    }
    // Idle workers sleep on the condition; every 0.2 s this thread checks for a stop request and
    // wakes them so they settle what is left.
    while workers.wait(timeout: .now() + 0.2) == .timedOut {
      guard cancellation.isCancelled else { continue }
      condition.lock()
      settleLocked()
      condition.broadcast()
      condition.unlock()
    }

    condition.lock()
    let cancelled = cancellation.isCancelled
    status.state = cancelled ? "stopped" : (status.failed.isEmpty ? "finished" : "failed")
    writeStatus(force: true)
    let summary = ExecutionSummary(outcomes: outcomes, cancelled: cancelled)
    condition.unlock()
    return summary
  }

  /// One of `jobs` worker threads: takes the next ready step, runs it, records it, repeats. The
  /// worker that finishes a step goes straight on with the next one, so a chain of steps costs no
  /// thread start and no hand-off between threads (which dominate on a busy machine).
  private func workLoop() {
    condition.lock()
    while true {
      settleLocked()
      if let index = pending.firstIndex(where: { $0.inputs.allSatisfy { records[$0] != nil } }) {
        let step = pending.remove(at: index)
        running.insert(step.id)
        let inputs = step.inputs.map { records[$0]! }, plannedKey = plannedKeys[step.id] ?? nil
        condition.unlock()
        let outcome = attempt(step, plannedKey: plannedKey, inputs: inputs)
        condition.lock()
        running.remove(step.id)
        finish(step.id, outcome)
        condition.broadcast()
        continue
      }
      if pending.isEmpty { break }
      if running.isEmpty {
        // Unreachable for a plan in topological order; settle rather than wait forever.
        for step in pending { finish(step.id, .skipped(blockedBy: step.inputs.first { records[$0] == nil } ?? step.id)) }
        pending.removeAll()
        break
      }
      condition.wait()
    }
    condition.unlock()
  }

  /// Settles every pending step that can be settled without running: skipped behind a failed
  /// input, or not started after a stop. `pending` is in topological order, so one pass also
  /// settles the dependents of what it skips. Called locked.
  private func settleLocked() {
    if cancellation.isCancelled, !stopLaunching {
      stopLaunching = true
      status.state = "stopping"
      writeStatus(force: true)
    }
    var index = 0
    while index < pending.count {
      let step = pending[index]
      if let blocker = step.inputs.first(where: { outcomes[$0] != nil && records[$0] == nil }) {
        finish(step.id, .skipped(blockedBy: blocker))
        pending.remove(at: index)
      } else if stopLaunching {
        finish(step.id, .notStarted)
        pending.remove(at: index)
      } else {
        index += 1
      }
    }
  }

  /// Records an outcome and updates the live status. Called with the condition locked.
  private func finish(_ id: StepID, _ outcome: StepOutcome) {
    outcomes[id] = outcome
    status.finished += 1
    status.running.removeAll { $0.id == id }
    if case .failed = outcome {
      status.failed.append(id.description)
      if !options.keepGoing { stopLaunching = true }
    }
    writeStatus(force: true)
    observer?.stepFinished(id, outcome, finished: status.finished, total: status.total)
  }

  /// Runs one step to an outcome, with retries. Called on the step's thread, unlocked.
  private func attempt(_ step: Step, plannedKey: StepKey?, inputs: [StepRecord]) -> StepOutcome {
    let runner = registry.runner(for: step.id.kind)!
    let inputRefs = inputs.map { StepRecord.Input(id: $0.id, key: $0.key, digest: $0.outputDigest) }
    let key = StepKey.compute(kind: step.id.kind, config: step.config, codeVersion: runner.codeVersion,
                              inputs: inputRefs.map { (id: $0.id, digest: $0.digest) })
    // A step planned behind a running input gets its key only now; if its inputs came out
    // identical, its stored result is still valid. (A step planned with this very key was found
    // missing, incomplete or corrupt by the plan, so it runs.)
    if plannedKey != key, let record = store.state(of: key).record {
      publish(record)
      return .reused
    }
    // Another process (a Slurm job, another sweep's runner) may be writing this very key: wait for
    // it, then take its result instead of writing the same files twice. Only a record that appeared
    // while waiting counts: one that was there before is one the plan found corrupt.
    let hadRecord = FileManager.default.fileExists(atPath: store.layout.recordFile(key).path)
    let stepLock: StepLock
    do { stepLock = try StepLock.acquire(store.layout, key: key) } catch { return .failed(String(describing: error)) }
    defer { stepLock.release() }
    if !hadRecord, let record = store.state(of: key).record {
      publish(record)
      return .reused
    }
    let inputDirectories = inputs.map { (id: $0.id, directory: store.layout.outputsDirectory($0.key)) }
    var attempt = 1
    while true {
      let started = Date()
      condition.lock()
      status.running.append(.init(id: step.id, threads: options.threadsPerStep, attempt: attempt,
                                  startedAt: started.timeIntervalSince1970, progress: nil, etaSeconds: nil))
      writeStatus(force: true)
      condition.unlock()
      observer?.stepStarted(step.id, threads: options.threadsPerStep, attempt: attempt)
      do {
        let scratch = try store.prepareScratch(for: key)
        let context = StepContext(
          step: step, inputDirectories: inputDirectories, outputDirectory: scratch.outputs, workDirectory: scratch.work,
          threads: options.threadsPerStep, attempt: attempt,
          progress: { [self] progress in self.progressed(step.id, progress, started: started) },
          cancellation: cancellation)
        try runner.run(context)
        try cancellation.checkpoint()
        let record = try store.commit(step: step, key: key, codeVersion: runner.codeVersion, inputs: inputRefs,
                                      seconds: Date().timeIntervalSince(started))
        publish(record)
        return .completed(seconds: record.seconds)
      } catch is StepCancelled {
        return .cancelled
      } catch {
        if cancellation.isCancelled { return .cancelled }
        guard attempt <= options.retries else { return .failed(String(describing: error)) }
        attempt += 1
        condition.lock()
        status.running.removeAll { $0.id == step.id }
        condition.unlock()
      }
    }
  }

  private func publish(_ record: StepRecord) {
    condition.lock()
    records[record.id] = record
    condition.unlock()
  }

  private func progressed(_ id: StepID, _ progress: StepProgress, started: Date) {
    let elapsed = Date().timeIntervalSince(started)
    var eta: Double?
    if let fraction = progress.fraction, fraction > 0.001, fraction <= 1 { eta = elapsed * (1 - fraction) / fraction }
    condition.lock()
    if let index = status.running.firstIndex(where: { $0.id == id }) {
      status.running[index].progress = progress
      status.running[index].etaSeconds = eta
    }
    writeStatus(force: false)
    condition.unlock()
    observer?.stepProgressed(id, progress, etaSeconds: eta)
  }

  /// Rewrites the live status file (at most every `statusInterval` unless forced). Called locked.
  /// A failed write only makes `status` stale; results are never affected, so it does not stop the run.
  private func writeStatus(force: Bool) {
    guard options.writesLiveStatus else { return }
    let now = Date().timeIntervalSince1970
    guard force || now - lastStatusWrite >= options.statusInterval else { return }
    lastStatusWrite = now
    status.updatedAt = now
    try? status.write(store.layout)
  }
}
