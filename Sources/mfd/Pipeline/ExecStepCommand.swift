import ArgumentParser
import Foundation
import Pipeline

/// What every Slurm job runs: plans the sweep again (on the compute node, against the shared
/// store), then runs exactly one step through the local executor, the same `StepRunnerRegistry`
/// code path `mfd run` uses, and commits it (outputs, checksums, record last). It does not take
/// the store lock (the runner holds it); `StepLock` keeps two writers of one step key apart.
struct ExecStepCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "exec-step",
    abstract: "Run one step of a sweep and commit it to the store (what each Slurm job runs).",
    shouldDisplay: false)

  @OptionGroup var options: PipelineOptions

  @Option(help: "The step to run, kind@name.")
  var step: String

  @Option(help: "SHA-256 of the step's config at submission; refuse to run if the manifest changed since.")
  var expectConfig: String?

  func run() throws {
    guard let id = StepID(parsing: step) else { throw PipelineCommandError("--step '\(step)' is not a step id (kind@name)") }
    let sweep = try options.loadSweep()
    let registry = StepRunnerCatalog.registry(repository: options.repositoryRoot)
    let plan = options.planner(registry: registry).plan(sweep.graph)
    guard let entry = plan[id] else {
      throw PipelineCommandError("\(sweep.manifest.table.id) at profile \(sweep.profile.name) has no step \(id)")
    }
    if let expectConfig, SlurmJobRecord.digest(of: entry.step.config) != expectConfig {
      throw PipelineCommandError("the manifest changed since this job was submitted: \(id)'s config differs; "
        + "nothing was run (run 'mfd run' again to submit the current sweep)")
    }
    guard entry.willRun else {
      print("\(id) is up to date (\(entry.key?.short ?? "")); nothing to do")
      return
    }
    let unfinished = entry.step.inputs.filter { plan[$0]?.willRun ?? true }
    guard unfinished.isEmpty else {
      throw PipelineCommandError("inputs of \(id) are not finished: \(unfinished.map(\.description).joined(separator: ", "))")
    }
    let cancellation = CancellationToken()
    let signals = StopSignals(cancellation: cancellation)  // Slurm sends SIGTERM at the time limit and on scancel.
    defer { signals.restore() }
    let executor = LocalExecutor(
      store: ArtifactStore(layout: options.storeLayout), registry: registry,
      options: ExecutionOptions(jobs: 1, totalThreads: options.threads, writesLiveStatus: false),
      observer: ProgressPrinter(), cancellation: cancellation)
    let summary = try executor.execute(plan.restricted(to: id))
    for (failed, message) in summary.failures { print("✗ \(failed): \(message)") }
    if summary.cancelled { throw ExitCode(130) }
    guard summary.succeeded else { throw ExitCode.failure }
  }
}
