import ArgumentParser
import Foundation
import Pipeline

struct CancelCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "cancel",
    abstract: "Cancel a sweep's Slurm jobs that are queued or running.",
    discussion: """
      Finished steps stay in the store; a running job's step leaves no record and resumes from its \
      checkpoints when the sweep is run again. A runner following the sweep sees the cancellation and stops.
      """)

  @OptionGroup var options: PipelineOptions

  func run() throws {
    let sweep = try options.loadSweep()
    let jobs = options.slurmJobStore(sweep)
    let client = SlurmClient()
    do { try client.checkAvailable() } catch { throw PipelineCommandError(String(describing: error)) }
    let statuses = SlurmJobTracker(jobs: jobs, client: client).statuses(jobs.records())
    let live = statuses.compactMap { id, entry -> (StepID, String)? in
      if case .active = entry.status, let job = entry.jobID { return (id, job) }
      return nil
    }.sorted { $0.0 < $1.0 }
    guard !live.isEmpty else {
      print("\(sweep.manifest.table.id) at profile \(sweep.profile.name): no queued or running Slurm jobs")
      return
    }
    do { try client.cancel(live.map(\.1)) } catch { throw PipelineCommandError(String(describing: error)) }
    for (id, job) in live { print("cancelled job \(job) (\(id))") }
    print("\(live.count) job(s) cancelled; 'mfd run' submits the unfinished steps again")
  }
}
