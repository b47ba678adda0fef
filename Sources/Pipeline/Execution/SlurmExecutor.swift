import Foundation

/// How the Slurm executor runs a plan.
public struct SlurmExecutionOptions: Sendable {
  /// On a failure, keep everything that does not depend on it (otherwise queued jobs are cancelled
  /// and running ones are let finish).
  public var keepGoing: Bool
  /// Extra submissions of a failed step (0: one attempt). A cancelled job is never retried.
  public var retries: Int
  /// Submit the whole graph and return at once; `mfd status` follows it, `mfd run` again reattaches.
  public var detach: Bool
  /// Seconds between two rounds of Slurm queries while attached.
  public var pollInterval: Double
  /// Resources per step kind (the profile's `slurm:` section).
  public var resources: SlurmSettings

  public init(keepGoing: Bool = false, retries: Int = 0, detach: Bool = false, pollInterval: Double = 5,
              resources: SlurmSettings = SlurmSettings()) {
    self.keepGoing = keepGoing
    self.retries = max(0, retries)
    self.detach = detach
    self.pollInterval = pollInterval
    self.resources = resources
  }
}

/// Runs a plan as Slurm jobs: each step that has to run becomes one `sbatch` job, with
/// `--dependency=afterok:<its inputs' jobs>` and `--kill-on-invalid-dep=yes`, so the whole graph is
/// queued at once and Slurm starts each job when its inputs succeeded. Each job commits its own
/// result to the shared store (`mfd exec-step`), exactly as the local executor would.
///
/// Crash safety: a job's record is written before `sbatch` runs and again with the id it returns
/// (`SlurmJobRecord`). A restarted runner adopts jobs that are still queued or running, collects
/// those that finished meanwhile, and submits only what has no live job, so no step is ever
/// queued twice. Failures follow `retries` and `keepGoing` like the local executor's.
public final class SlurmExecutor: @unchecked Sendable {
  public let store: ArtifactStore
  public let jobs: SlurmJobStore
  public let client: SlurmClient
  public let options: SlurmExecutionOptions
  /// Job names are `<sweepName>:<step id>`.
  public let sweepName: String
  /// `mfd exec-step …` for a step (the script appends `--threads`).
  public let command: @Sendable (Step) -> [String]
  public let workingDirectory: URL
  public let observer: (any ExecutionObserver)?
  public let cancellation: CancellationToken

  private var tracker: SlurmJobTracker { SlurmJobTracker(jobs: jobs, client: client) }
  private var steps: [StepID: Step] = [:]
  private var order: [StepID: Int] = [:]
  private var dependents: [StepID: [StepID]] = [:]
  private var pending: [Step] = []
  private var done: Set<StepID> = []
  /// Submitted jobs not yet settled, with their records (which carry the job id).
  private var active: [StepID: SlurmJobRecord] = [:]
  private var lastState: [StepID: SlurmJobState] = [:]
  private var submittedAt: [StepID: Date] = [:]
  private var outcomes: [StepID: StepOutcome] = [:]
  private var stopLaunching = false
  private var status: LiveStatus

  public init(store: ArtifactStore, jobs: SlurmJobStore, client: SlurmClient, options: SlurmExecutionOptions,
              sweepName: String, workingDirectory: URL, command: @escaping @Sendable (Step) -> [String],
              observer: (any ExecutionObserver)? = nil, cancellation: CancellationToken = CancellationToken()) {
    self.store = store
    self.jobs = jobs
    self.client = client
    self.options = options
    self.sweepName = sweepName
    self.workingDirectory = workingDirectory
    self.command = command
    self.observer = observer
    self.cancellation = cancellation
    let now = Date().timeIntervalSince1970
    status = LiveStatus(pid: getpid(), startedAt: now, updatedAt: now, total: 0, finished: 0, failed: [], running: [], state: "running")
  }

  /// Submits (and unless detached, follows to the end) every step of `plan` that has to run. The
  /// caller holds the `StoreLock`; the jobs never take it (they lock only their own step key).
  /// - Throws: `SlurmError.toolNotFound` before anything is submitted; store errors.
  public func execute(_ plan: Plan) throws -> ExecutionSummary {
    try client.checkAvailable()
    for (index, entry) in plan.entries.enumerated() {
      steps[entry.step.id] = entry.step
      order[entry.step.id] = index
      for input in entry.step.inputs { dependents[input, default: []].append(entry.step.id) }
      if !entry.willRun { done.insert(entry.step.id) }
    }
    pending = plan.toRun.map(\.step)
    status.total = pending.count
    writeStatus()
    try reattach()
    while true {
      try submitReady()
      if options.detach || cancellation.isCancelled {
        for (id, record) in active { settle(id, .submitted(job: record.jobID ?? "?")) }
        for step in pending { settle(step.id, .notStarted) }
        pending.removeAll()
        active.removeAll()
        break
      }
      if pending.isEmpty && active.isEmpty { break }
      let wake = Date().addingTimeInterval(options.pollInterval)
      while Date() < wake, !cancellation.isCancelled { Thread.sleep(forTimeInterval: min(0.1, options.pollInterval)) }
      if cancellation.isCancelled { continue }
      try poll()
    }
    status.state = options.detach ? "detached" : cancellation.isCancelled ? "stopped" : (status.failed.isEmpty ? "finished" : "failed")
    writeStatus()
    return ExecutionSummary(outcomes: outcomes, cancelled: cancellation.isCancelled)
  }

  /// Adopts the live jobs of an earlier runner, collects those that succeeded since, and cancels
  /// live jobs that can no longer be used (another config, or an input that must run again).
  private func reattach() throws {
    var records: [SlurmJobRecord] = []
    var stale: [String] = []
    for step in pending {
      guard let record = jobs.record(for: step.id) else { continue }
      if record.configDigest == SlurmJobRecord.digest(of: step.config) { records.append(record) } else if let id = record.jobID { stale.append(id) }
    }
    let staleStates = client.states(of: stale)
    try? client.cancel(stale.filter { staleStates[$0]?.isActive ?? false })
    let statuses = tracker.statuses(records)
    var index = 0
    while index < pending.count {
      let step = pending[index]
      guard let record = records.first(where: { $0.id == step.id }), let (jobID, jobStatus) = statuses[step.id], let jobID else {
        index += 1
        continue
      }
      let inputsLive = step.inputs.allSatisfy { done.contains($0) || active[$0] != nil }
      switch jobStatus {
      case .active(let state) where inputsLive:
        var adopted = record
        adopted.jobID = jobID
        if record.jobID == nil { try jobs.write(adopted) }
        active[step.id] = adopted
        lastState[step.id] = state
        submittedAt[step.id] = Date()
        startedRunning(step.id, attempt: record.attempt)
        pending.remove(at: index)
      case .active:
        try? client.cancel([jobID])  // It waits on a job that is gone; it is submitted again below.
        index += 1
      case .succeeded where step.inputs.allSatisfy(done.contains):
        done.insert(step.id)
        settle(step.id, .collected(job: jobID))
        pending.remove(at: index)
      default:
        index += 1  // Failed or cancelled while nobody watched: this run submits it afresh.
      }
    }
  }

  /// Submits every pending step whose inputs are finished or submitted, in topological order, so
  /// one pass queues the whole reachable graph; settles steps behind a failed input.
  private func submitReady() throws {
    var index = 0
    while index < pending.count {
      let step = pending[index]
      if let blocker = step.inputs.first(where: { outcomes[$0] != nil && !done.contains($0) }) {
        settle(step.id, .skipped(blockedBy: blocker))
        pending.remove(at: index)
      } else if stopLaunching {
        settle(step.id, .notStarted)
        pending.remove(at: index)
      } else if step.inputs.allSatisfy({ done.contains($0) || active[$0] != nil }) {
        pending.remove(at: index)
        try submit(step, attempt: 1)
      } else {
        index += 1
      }
    }
  }

  /// Writes the script and the intent record, calls `sbatch`, records the id. An `sbatch` refusal
  /// fails the step (with sbatch's message); a store failure stops the run.
  private func submit(_ step: Step, attempt: Int) throws {
    let resources = options.resources.resources(for: step.id.kind)
    let dependencies = step.inputs.compactMap { active[$0]?.jobID }
    let script = SlurmJobScript(
      extraOptions: resources.extra ?? [], setup: resources.setup ?? [], workingDirectory: workingDirectory,
      command: command(step), exitPattern: jobs.exitFile(step.id, jobID: "%j").path,
      title: "\(sweepName): \(step.id), attempt \(attempt)")
    let scriptURL = jobs.scriptFile(step.id)
    try StoreFile.write(Data(script.text.utf8), to: scriptURL, durable: false)
    try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: scriptURL.path)
    var record = SlurmJobRecord(id: step.id, jobID: nil, jobName: "\(sweepName):\(step.id)",
                                configDigest: SlurmJobRecord.digest(of: step.config), attempt: attempt,
                                dependencies: dependencies, submittedAt: Date().ISO8601Format())
    try jobs.write(record)
    var sbatchOptions = ["--job-name=\(record.jobName)", "--output=\(jobs.logPattern(step.id))",
                         "--chdir=\(workingDirectory.path)", "--kill-on-invalid-dep=yes"]
    if !dependencies.isEmpty { sbatchOptions.append("--dependency=afterok:" + dependencies.joined(separator: ":")) }
    sbatchOptions += resources.sbatchOptions
    do {
      record.jobID = try client.submit(script: scriptURL, options: sbatchOptions)
    } catch {
      try? FileManager.default.removeItem(at: jobs.recordFile(step.id))
      settle(step.id, .failed("sbatch refused the job: \(error)"))
      return
    }
    try jobs.write(record)
    jobs.appendHistory(record)
    active[step.id] = record
    submittedAt[step.id] = Date()
    startedRunning(step.id, attempt: attempt)
  }

  /// One round of queries: settles every job that ended, retrying or cascading as the policy says.
  private func poll() throws {
    let statuses = tracker.statuses(Array(active.values))
    for id in active.keys.sorted(by: { order[$0]! < order[$1]! }) {
      guard let record = active[id], let (jobID, jobStatus) = statuses[id] else { continue }
      switch jobStatus {
      case .active(let state):
        lastState[id] = state
      case .succeeded:
        active[id] = nil
        done.insert(id)
        settle(id, .completed(seconds: Date().timeIntervalSince(submittedAt[id] ?? Date())))
      case .dependencyFailed:
        active[id] = nil
        settle(id, .skipped(blockedBy: steps[id]!.inputs.first { !done.contains($0) } ?? id))
      case .cancelled:
        active[id] = nil
        settle(id, .cancelled)
        stopLaunching = true  // Someone cancelled the sweep's jobs (mfd cancel).
      case .failed, .neverSubmitted:
        active[id] = nil
        let message = { if case .failed(let text) = jobStatus { return text }; return "job \(jobID ?? "?") was never queued" }()
        status.running.removeAll { $0.id == id }
        if record.attempt <= options.retries {
          for dependent in liveDependents(of: id) {
            try? client.cancel([active[dependent]!.jobID ?? ""])
            active[dependent] = nil
            status.running.removeAll { $0.id == dependent }
            pending.append(steps[dependent]!)
          }
          pending.sort { order[$0.id]! < order[$1.id]! }
          try submit(steps[id]!, attempt: record.attempt + 1)
        } else {
          settle(id, .failed(message))
          for dependent in liveDependents(of: id) {
            try? client.cancel([active[dependent]!.jobID ?? ""])
            active[dependent] = nil
            settle(dependent, .skipped(blockedBy: id))
          }
          if !options.keepGoing { stopQueuedJobs() }
        }
      }
    }
    writeStatus()
  }

  /// Without --keep-going: start nothing new. Queued jobs are cancelled; running ones finish.
  private func stopQueuedJobs() {
    stopLaunching = true
    let queued = active.filter { lastState[$0.key]?.isPending ?? true }
    try? client.cancel(queued.compactMap(\.value.jobID))
    for id in queued.keys.sorted(by: { order[$0]! < order[$1]! }) {
      active[id] = nil
      settle(id, .notStarted)
    }
  }

  /// Submitted steps downstream of `id`, in topological order.
  private func liveDependents(of id: StepID) -> [StepID] {
    var found: Set<StepID> = [], frontier = [id]
    while let next = frontier.popLast() {
      for dependent in dependents[next] ?? [] where !found.contains(dependent) {
        found.insert(dependent)
        frontier.append(dependent)
      }
    }
    return found.filter { active[$0] != nil }.sorted { order[$0]! < order[$1]! }
  }

  private func startedRunning(_ id: StepID, attempt: Int) {
    let threads = options.resources.resources(for: id.kind).cpus ?? 1
    status.running.append(.init(id: id, threads: threads, attempt: attempt, startedAt: Date().timeIntervalSince1970, progress: nil, etaSeconds: nil))
    writeStatus()
    observer?.stepStarted(id, threads: threads, attempt: attempt)
  }

  private func settle(_ id: StepID, _ outcome: StepOutcome) {
    outcomes[id] = outcome
    status.running.removeAll { $0.id == id }
    if case .submitted = outcome {} else { status.finished += 1 }
    if case .failed = outcome { status.failed.append(id.description) }
    writeStatus()
    observer?.stepFinished(id, outcome, finished: status.finished, total: status.total)
  }

  /// A failed write only makes `mfd status` stale, never a result wrong, so it does not stop the run.
  private func writeStatus() {
    status.updatedAt = Date().timeIntervalSince1970
    try? status.write(store.layout)
  }
}
