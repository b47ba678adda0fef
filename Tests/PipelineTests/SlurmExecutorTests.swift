import Foundation
import Testing
@testable import Pipeline

/// The toy sweep, a fake Slurm whose jobs run the fake steps in-process and commit them to the
/// store as `mfd exec-step` would, and a factory for Slurm executors over both.
final class SlurmBench: @unchecked Sendable {
  let bench: TestBench
  let sweep: Sweep
  let slurm = FakeSlurm()
  let jobs: SlurmJobStore

  init(profileText: String = "") throws {
    bench = TestBench()
    sweep = try Fixtures.sweep(bench.directory, text: Fixtures.manifest() + profileText)
    jobs = SlurmJobStore(layout: bench.store.layout, sweep: "toy-smoke", durable: false)
    slurm.execute = { [unowned self] id, jobID in
      let summary = try? LocalExecutor(store: bench.store, registry: bench.registry,
                                       options: ExecutionOptions(jobs: 1, totalThreads: 1, writesLiveStatus: false))
        .execute(bench.plan(sweep).restricted(to: id))
      let code: Int32 = summary?.succeeded == true ? 0 : 1
      try! Data("\(code)\n".utf8).write(to: jobs.exitFile(id, jobID: jobID))
      return code
    }
  }

  func executor(_ options: SlurmExecutionOptions = SlurmExecutionOptions(pollInterval: 0)) -> SlurmExecutor {
    var options = options
    options.resources = sweep.profile.slurm.overridden(by: options.resources)
    return SlurmExecutor(store: bench.store, jobs: jobs, client: SlurmClient(runner: slurm), options: options,
                         sweepName: "toy-smoke", workingDirectory: bench.directory.url,
                         command: { ["mfd", "exec-step", "toy.yaml", "--step", $0.id.description] })
  }

  func run(_ options: SlurmExecutionOptions = SlurmExecutionOptions(pollInterval: 0)) throws -> ExecutionSummary {
    try executor(options).execute(bench.plan(sweep))
  }

  var allUpToDate: Bool { bench.plan(sweep).toRun.isEmpty }

  /// Steps queued more than once.
  var duplicates: [StepID] {
    Dictionary(grouping: slurm.submissions, by: slurm.stepID).filter { $0.value.count > 1 }.keys.sorted()
  }
}

@Suite struct SlurmExecutorTests {
  static let resources = """
    profiles:
      smoke:
        executor: slurm
        slurm:
          default: {time: "00:10:00", partition: debug, extra: ["--qos=short"], setup: ["module load swift"]}
          train: {cpus: 2, memory: 2G}

    """

  @Test func detachQueuesTheWholeGraphWithAfterokDependenciesAndRecordsEveryJob() throws {
    let bench = try SlurmBench(profileText: Self.resources)
    let summary = try bench.run(SlurmExecutionOptions(detach: true, pollInterval: 0))
    let steps = bench.sweep.graph.steps
    #expect(bench.slurm.submissions.count == steps.count)
    #expect(summary.outcomes.values.allSatisfy { if case .submitted = $0 { return true }; return false })
    for step in steps {
      let job = try #require(bench.slurm.submitted(step.id).first)
      let inputJobs = step.inputs.map { bench.slurm.submitted($0).first!.id }
      #expect(job.dependencies == inputJobs, "\(step.id)")
      #expect(job.options.contains("--kill-on-invalid-dep=yes"))
      #expect(job.options.contains("--time=00:10:00") && job.options.contains("--partition=debug"))
      #expect(job.options.contains("--cpus-per-task=2") == (step.id.kind == .train), "\(step.id)")
      #expect(bench.jobs.record(for: step.id)?.jobID == job.id)
      let script = try String(contentsOf: bench.jobs.scriptFile(step.id), encoding: .utf8)
      #expect(script.contains("#SBATCH --qos=short") && script.contains("module load swift") && script.contains("'exec-step'"))
    }
    #expect(!bench.allUpToDate, "detached: nothing ran in the runner")
  }

  @Test func attachedRunFollowsTheJobsUntilEveryStepIsCommitted() throws {
    let bench = try SlurmBench()
    let summary = try bench.run()
    #expect(summary.succeeded, "\(summary.failures)")
    #expect(bench.allUpToDate)
    #expect(bench.duplicates.isEmpty)
    // Every step ran once (aggregate is the pipeline's own runner, not the fake).
    #expect(bench.bench.runner.totalExecutions == bench.sweep.graph.steps.filter { $0.id.kind != .aggregate }.count)
  }

  @Test func restartedRunnerAdoptsLiveJobsAndCollectsFinishedOnesWithoutResubmitting() throws {
    let bench = try SlurmBench()
    _ = try bench.run(SlurmExecutionOptions(detach: true, pollInterval: 0))
    let queued = bench.slurm.submissions.count
    bench.slurm.tick()  // fetch finishes while no runner watches
    let plan = bench.bench.plan(bench.sweep)
    bench.slurm.tick()  // preprocess finishes after the restarted runner planned
    let summary = try bench.executor().execute(plan)
    #expect(summary.succeeded, "\(summary.failures)")
    #expect(bench.slurm.submissions.count == queued, "no job was submitted again")
    #expect(bench.duplicates.isEmpty)
    #expect(summary.outcomes[StepID(.preprocess, "toyset")] == .collected(job: bench.slurm.submitted(StepID(.preprocess, "toyset"))[0].id))
    #expect(bench.allUpToDate)
  }

  @Test func runnerKilledBeforeRecordingTheJobIdFindsTheJobByName() throws {
    let bench = try SlurmBench()
    let fetch = try #require(bench.sweep.graph.steps.first)
    // The intent was written, sbatch queued the job, the runner died before writing the id.
    let jobID = try SlurmClient(runner: bench.slurm).submit(script: bench.jobs.scriptFile(fetch.id),
                                                            options: ["--job-name=toy-smoke:\(fetch.id)"])
    try bench.jobs.write(SlurmJobRecord(id: fetch.id, jobID: nil, jobName: "toy-smoke:\(fetch.id)",
                                        configDigest: SlurmJobRecord.digest(of: fetch.config), attempt: 1,
                                        dependencies: [], submittedAt: "then"))
    let summary = try bench.run()
    #expect(summary.succeeded, "\(summary.failures)")
    #expect(bench.slurm.submitted(fetch.id).map(\.id) == [jobID])
    #expect(bench.duplicates.isEmpty)
  }

  @Test func failedJobIsRetriedAndItsDependentsWaitForTheRetry() throws {
    let bench = try SlurmBench()
    let preprocess = StepID(.preprocess, "toyset")
    bench.bench.runner.set(.failTimes(1), for: preprocess)
    let summary = try bench.run(SlurmExecutionOptions(retries: 1, pollInterval: 0))
    #expect(summary.succeeded, "\(summary.failures)")
    #expect(bench.slurm.submitted(preprocess).count == 2)
    #expect(bench.jobs.record(for: preprocess)?.attempt == 2)
    #expect(bench.allUpToDate)
  }

  @Test func failureWithoutKeepGoingCancelsQueuedJobsAndNamesTheExitCode() throws {
    let bench = try SlurmBench()
    let failing = StepID(.preprocess, "toyset")
    bench.bench.runner.set(.fail, for: failing)
    let summary = try bench.run()
    #expect(summary.failures.map(\.0) == [failing])
    #expect(summary.failures.first?.1.contains("exited with 1") == true, "\(summary.failures) \(summary.outcomes)")
    #expect(summary.outcomes.count == bench.sweep.graph.steps.count)
    let unfinished = summary.outcomes.filter { $0.value != .notStarted && { if case .skipped = $0 { return false }; return true }($0.value) }
    #expect(Set(unfinished.keys) == [StepID(.fetch, "toyset"), failing])
    #expect(bench.slurm.submissions.allSatisfy { $0.state != "PENDING" && $0.state != "RUNNING" }, "nothing left queued")
  }

  @Test func keepGoingFinishesEverythingThatDoesNotDependOnTheFailure() throws {
    let bench = try SlurmBench()
    let failing = StepID(.train, "net_a-toyset-softmax-s1")
    bench.bench.runner.set(.fail, for: failing)
    let summary = try bench.run(SlurmExecutionOptions(keepGoing: true, pollInterval: 0))
    #expect(summary.failures.map(\.0) == [failing])
    #expect(summary.outcomes[StepID(.evaluate, "net_a-toyset-softmax-s1")] == .skipped(blockedBy: failing))
    let completed = summary.outcomes.values.filter { if case .completed = $0 { return true }; return false }.count
    #expect(completed == bench.sweep.graph.steps.count - 3)  // the failure, its evaluate, the aggregate
  }

  @Test func timeoutOfAPurgedJobIsFoundThroughTheJobCompletionLog() throws {
    let bench = try SlurmBench()
    let training = StepID(.train, "net_b-toyset-mfd1-s0")
    bench.slurm.endings[training] = .timeout
    bench.slurm.purgeFinished = true
    let summary = try bench.run(SlurmExecutionOptions(keepGoing: true, pollInterval: 0))
    let message = try #require(summary.failures.first { $0.0 == training }?.1)
    #expect(message.contains("TIMEOUT") && message.contains("sacct -c"), "\(message)")
  }

  @Test func missingSbatchIsAClearErrorBeforeAnythingIsSubmitted() throws {
    let bench = try SlurmBench()
    bench.slurm.sbatchAvailable = false
    #expect { try bench.run() } throws: { String(describing: $0).contains("sbatch not found on PATH") }
    #expect(bench.slurm.submissions.isEmpty)
  }

  @Test func sbatchRefusalFailsTheStepWithSbatchsMessage() throws {
    let bench = try SlurmBench()
    bench.slurm.rejection = "sbatch: error: invalid partition specified: gpu"
    let summary = try bench.run()
    #expect(summary.failures.first?.1.contains("invalid partition specified: gpu") == true, "\(summary.failures)")
    #expect(bench.jobs.records().isEmpty, "a refused job leaves no record to reattach to")
  }

  @Test func profilesMergeSlurmResourcesAlongExtendsAndNeverChangeStepKeys() throws {
    let plain = try SlurmBench()
    let bench = try SlurmBench(profileText: Self.resources)
    #expect(plain.sweep.profile.executor == .local)
    #expect(bench.sweep.profile.executor == .slurm)
    let train = bench.sweep.profile.slurm.resources(for: .train)
    #expect(train.cpus == 2 && train.memory == "2G" && train.partition == "debug" && train.time == "00:10:00")
    #expect(bench.sweep.profile.slurm.resources(for: .fetch).cpus == nil)
    #expect(plain.sweep.graph.steps == bench.sweep.graph.steps)
  }
}

@Suite struct StepLockTests {
  /// A Slurm job commits a step while a local run waits on its key: the local run takes the job's
  /// result instead of computing and committing the same key a second time.
  @Test func writerWaitingOnAStepKeyReusesTheResultCommittedMeanwhile() throws {
    let bench = TestBench()
    let sweep = try Fixtures.sweep(bench.directory)
    let plan = bench.plan(sweep)
    let fetch = try #require(plan.entries.first)
    let key = try #require(fetch.key)
    let held = try StepLock.acquire(bench.store.layout, key: key)
    nonisolated(unsafe) var summary: ExecutionSummary?
    let done = DispatchSemaphore(value: 0)
    let executor = LocalExecutor(store: bench.store, registry: bench.registry, options: ExecutionOptions(jobs: 1, totalThreads: 1))
    let restricted = plan.restricted(to: fetch.step.id)
    Thread {
      summary = try? executor.execute(restricted)
      done.signal()
    }.start()
    Thread.sleep(forTimeInterval: 0.3)
    #expect(bench.runner.count(fetch.step.id) == 0, "the local run must wait for the lock")
    let scratch = try bench.store.prepareScratch(for: key)
    try Data("from the job".utf8).write(to: scratch.outputs.appendingPathComponent("result.txt"))
    _ = try bench.store.commit(step: fetch.step, key: key, codeVersion: bench.runner.codeVersion, inputs: [], seconds: 1)
    held.release()
    done.wait()
    #expect(summary?.outcomes[fetch.step.id] == .reused)
    #expect(bench.runner.count(fetch.step.id) == 0)
  }
}
