import ArgumentParser
import Dispatch
import Foundation
import Pipeline

struct RunCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "run",
    abstract: "Run every step of a sweep that is not up to date, then write the report.",
    discussion: """
      One runner per store: a second one refuses (naming the holder's pid) unless --wait. \
      Ctrl-C or SIGTERM stops launching steps and asks running ones to stop at a safe point; a \
      second Ctrl-C exits at once. Stopped or killed steps leave no record and resume next run.
      """)

  @OptionGroup var options: PipelineOptions

  @Flag(help: "If another runner holds the store, wait for it instead of refusing.")
  var wait = false

  @Option(help: "Extra attempts for a failed step.")
  var retries: Int = 0

  @Option(help: "Directory for the report written after the run.")
  var output: String = "results"

  @Option(help: "Where steps run: local or slurm (default: the profile's 'executor', else local).")
  var executor: ExecutorKind?

  @Flag(help: "With the Slurm executor: submit every step as a job and exit; 'mfd status' follows them.")
  var detach = false

  @Option(help: ArgumentHelp("Seconds between two rounds of Slurm queries.", visibility: .hidden))
  var pollSeconds: Double = 5

  func run() throws {
    let sweep = try options.loadSweep()
    let registry = StepRunnerCatalog.registry(repository: options.repositoryRoot)
    let layout = options.storeLayout
    let lock = try acquireLock(layout)
    defer { lock.release() }
    let plan = options.planner(registry: registry).plan(sweep.graph)
    guard !plan.toRun.isEmpty else {
      print("\(sweep.manifest.table.id) at profile \(sweep.profile.name): all \(plan.entries.count) steps up to date")
      return
    }
    let missing = registry.missingKinds(for: plan.toRun.map(\.step))
    guard missing.isEmpty else { throw PipelineCommandError(MissingRunnersError(kinds: missing, stepCount: plan.toRun.count).description) }

    let executorKind = executor ?? sweep.profile.executor
    guard !detach || executorKind == .slurm else { throw PipelineCommandError("--detach needs the Slurm executor (--executor slurm)") }

    let cancellation = CancellationToken()
    let signals = StopSignals(cancellation: cancellation)
    defer { signals.restore() }
    let summary: ExecutionSummary
    if executorKind == .slurm {
      summary = try runOnSlurm(sweep, plan: plan, registry: registry, cancellation: cancellation)
      Self.describeLiveJobs(summary, manifest: options.manifest)
      if detach { return }
    } else {
      let executor = LocalExecutor(
        store: ArtifactStore(layout: layout), registry: registry,
        options: ExecutionOptions(jobs: options.jobs, totalThreads: options.threads, keepGoing: options.keepGoing, retries: retries),
        observer: ProgressPrinter(), cancellation: cancellation)
      summary = try executor.execute(plan)
    }
    try ReportCommand.writeReport(sweep: sweep, planner: options.planner(registry: registry), directory: output, quiet: true)
    for (id, message) in summary.failures { print("✗ \(id): \(message)") }
    if summary.cancelled {
      print("stopped on request; finished steps are kept, the rest resume with the same command")
      throw ExitCode(130)
    }
    guard summary.succeeded else { throw ExitCode.failure }
  }

  private func acquireLock(_ layout: StoreLayout) throws -> StoreLock {
    do {
      return try StoreLock.acquire(layout, wait: wait) { holder in
        FileHandle.standardError.write(Data("waiting for the store lock (\(holder))…\n".utf8))
      }
    } catch let error as StoreLock.HeldError {
      throw PipelineCommandError(error.description)
    }
  }
}

/// SIGINT/SIGTERM → ask the sweep to stop at a safe point; a second signal exits immediately.
final class StopSignals: @unchecked Sendable {
  private var sources: [DispatchSourceSignal] = []

  init(cancellation: CancellationToken) {
    for number in [SIGINT, SIGTERM] {
      signal(number, SIG_IGN)
      let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
      source.setEventHandler {
        if cancellation.isCancelled { exit(130) }
        cancellation.cancel()
        FileHandle.standardError.write(Data("stopping: no new steps; running steps stop at their next safe point (again to quit now)\n".utf8))
      }
      source.resume()
      sources.append(source)
    }
  }

  func restore() {
    for source in sources { source.cancel() }
    signal(SIGINT, SIG_DFL)
    signal(SIGTERM, SIG_DFL)
  }
}
