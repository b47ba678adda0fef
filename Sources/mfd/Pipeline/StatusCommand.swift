import ArgumentParser
import Foundation
import Pipeline

struct StatusCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "status",
    abstract: "How far a sweep is: steps done and to run, and what a runner is doing right now.",
    discussion: "Works while another process runs the sweep: it reads records and the runner's live status file, never the lock.")

  @OptionGroup var options: PipelineOptions

  func run() throws {
    let sweep = try options.loadSweep()
    let layout = options.storeLayout
    let plan = options.planner().plan(sweep.graph)
    var counts: [String: Int] = [:]
    for entry in plan.entries { counts[entry.reason.label, default: 0] += 1 }
    print("\(sweep.manifest.table.id) at profile \(sweep.profile.name): \(plan.entries.count - plan.toRun.count)/\(plan.entries.count) steps up to date"
      + " (" + counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ") + ")")
    printSlurmJobs(sweep, plan: plan)
    let held = StoreLock.isHeld(layout)
    guard let live = LiveStatus.read(layout) else {
      print(held ? "a runner holds the store (\(StoreLock.holderDescription(layout))) but has written no status yet" : "no runner is active")
      return
    }
    let age = Date().timeIntervalSince1970 - live.updatedAt
    if held {
      print("runner pid \(live.pid): \(live.state), \(live.finished)/\(live.total) steps finished"
        + (live.failed.isEmpty ? "" : ", failed: \(live.failed.joined(separator: ", "))")
        + String(format: " (status %.0f s old)", age))
      for step in live.running {
        let elapsed = Date().timeIntervalSince1970 - step.startedAt
        let detail = step.progress.map { ProgressPrinter.describe($0, etaSeconds: step.etaSeconds) } ?? "starting"
        print("  \(step.id) [\(step.threads) threads, \(Duration.seconds(elapsed).formattedShort)]: \(detail)")
      }
    } else if live.state == "detached" {
      print("no runner is following the sweep: its steps were submitted to Slurm (jobs above); 'mfd run' again reattaches")
    } else if live.state == "running" || live.state == "stopping" {
      print("the last runner (pid \(live.pid)) died while \(live.state); its unfinished steps are incomplete and resume on the next run")
    } else {
      print("no runner is active; the last run \(live.state) with \(live.finished)/\(live.total) steps finished")
    }
  }
}

extension StatusCommand {
  /// Each step's Slurm job and its state, when the sweep ran on Slurm (nothing otherwise).
  func printSlurmJobs(_ sweep: Sweep, plan: Plan) {
    let jobs = options.slurmJobStore(sweep)
    let records = jobs.records().filter { record in
      plan[record.id].map { SlurmJobRecord.digest(of: $0.step.config) == record.configDigest } ?? false
    }
    guard !records.isEmpty else { return }
    let statuses = SlurmJobTracker(jobs: jobs, client: SlurmClient()).statuses(records)
    print("Slurm jobs (\(jobs.directory.path)):")
    for record in records.sorted(by: { $0.id < $1.id }) {
      guard let entry = statuses[record.id] else { continue }
      let state = String(describing: entry.status).split(separator: "\n").first.map(String.init) ?? ""
      print("  \(record.id): job \(entry.jobID ?? "?") \(state)" + (record.attempt > 1 ? " (attempt \(record.attempt))" : ""))
    }
  }
}

struct VerifyCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "verify",
    abstract: "Re-hash stored outputs against their records; report corrupt and incomplete steps.",
    discussion: "Corrupt or incomplete steps need no repair: the next run plans them again. Exit 1 if any is corrupt.")

  @OptionGroup var options: PipelineOptions

  @Flag(help: "Verify every step in the store, not only the manifest's.")
  var all = false

  func run() throws {
    let store = ArtifactStore(layout: options.storeLayout)
    var corrupt = 0
    if all {
      let (verified, findings) = StoreVerifier.verifyAll(store)
      for finding in findings {
        if case .corrupt = finding.state { corrupt += 1 }
        print("\(finding.id?.description ?? "(unknown step)") \(finding.key.short): \(Self.describe(finding.state))")
      }
      print("\(verified) step(s) verified, \(findings.count) problem(s)")
    } else {
      let sweep = try options.loadSweep()
      let plan = options.planner().plan(sweep.graph, depth: .full)
      var verified = 0
      for entry in plan.entries {
        switch entry.reason {
        case .upToDate: verified += 1
        case .corrupt, .incomplete:
          if case .corrupt = entry.reason { corrupt += 1 }
          print("\(entry.step.id) \(entry.key?.short ?? ""): \(entry.reason) — will run again")
        default: break
        }
      }
      print("\(verified) finished step(s) re-hashed and verified; \(corrupt) corrupt")
    }
    if corrupt > 0 { throw ExitCode.failure }
  }

  static func describe(_ state: ArtifactState) -> String {
    switch state {
    case .corrupt(let problem): return "corrupt: \(problem) — will run again"
    case .incomplete: return "incomplete (no record) — resumes on the next run"
    default: return "\(state)"
    }
  }
}
