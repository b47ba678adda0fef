import ArgumentParser
import Foundation
import Pipeline

extension RunCommand {
  /// `mfd run --executor slurm`: submits the plan as jobs (reattaching to a previous runner's live
  /// jobs), follows them unless `--detach`, then writes the report like a local run.
  func runOnSlurm(_ sweep: Sweep, plan: Plan, registry: StepRunnerRegistry, cancellation: CancellationToken) throws -> ExecutionSummary {
    let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
    let manifest = options.absoluteManifestPath, profile = sweep.profile.name
    let store = options.storeLayout.root.path, assignments = options.assignments
    let executor = SlurmExecutor(
      store: ArtifactStore(layout: options.storeLayout), jobs: options.slurmJobStore(sweep), client: SlurmClient(),
      options: SlurmExecutionOptions(keepGoing: options.keepGoing, retries: retries, detach: detach, pollInterval: pollSeconds,
                                     resources: sweep.profile.slurm),
      sweepName: "\(sweep.manifest.table.id)-\(profile)",
      workingDirectory: URL(fileURLWithPath: FileManager.default.currentDirectoryPath),
      command: { step in
        [executable, "exec-step", manifest, "--profile", profile, "--store", store, "--step", step.id.description,
         "--expect-config", SlurmJobRecord.digest(of: step.config)] + assignments.flatMap { ["--set", $0] }
      },
      observer: ProgressPrinter(), cancellation: cancellation)
    do {
      return try executor.execute(plan)
    } catch let error as SlurmError {
      throw PipelineCommandError(error.description)
    }
  }

  /// What a detached or interrupted Slurm run leaves behind, and how to follow it.
  static func describeLiveJobs(_ summary: ExecutionSummary, manifest: String) {
    let live = summary.outcomes.compactMap { id, outcome -> String? in
      if case .submitted(let job) = outcome { return "\(job) \(id)" }
      return nil
    }
    guard !live.isEmpty else { return }
    print("\(live.count) Slurm job(s) queued or running; follow with 'mfd status \(manifest)', stop with "
      + "'mfd cancel \(manifest)'; 'mfd run' again reattaches and writes the report")
  }
}
