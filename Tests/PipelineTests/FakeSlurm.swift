import Foundation
@testable import Pipeline

/// A scripted, in-process stand-in for `sbatch`/`squeue`/`scontrol`/`sacct`/`scancel`: jobs queue
/// with their `afterok` dependencies, and every `squeue` call advances the "cluster" by one tick,
/// running each job whose dependencies completed through `execute` (which commits the step as a
/// real job would) and cancelling jobs whose dependencies failed (`--kill-on-invalid-dep=yes`).
final class FakeSlurm: CommandRunning, @unchecked Sendable {
  struct Job {
    let id: String
    let name: String
    let dependencies: [String]
    let options: [String]
    var state = "PENDING"
    var reason = "None"
    var exitCode = "0:0"
  }

  /// How a job ends instead of running its step.
  enum Ending: Sendable { case timeout, hold }

  private let lock = NSLock()
  private(set) var jobs: [String: Job] = [:]
  private(set) var order: [String] = []
  private var nextID = 100
  /// Job states squeue and scontrol no longer report (purged); only `sacct -c` knows them.
  var purgeFinished = false
  var sbatchAvailable = true
  /// stderr sbatch answers with, refusing every job.
  var rejection: String?
  var endings: [StepID: Ending] = [:]
  /// Runs the job's step; returns its exit code. Called outside the lock.
  var execute: (@Sendable (StepID, String) -> Int32)?

  var submissions: [Job] { lock.withLock { order.map { jobs[$0]! } } }

  func submitted(_ id: StepID) -> [Job] { submissions.filter { $0.name.hasSuffix(":\(id)") } }

  func stepID(of job: Job) -> StepID { StepID(parsing: String(job.name.split(separator: ":").last!))! }

  func run(_ tool: String, _ arguments: [String]) throws -> CommandResult {
    switch tool {
    case "sbatch": return try sbatch(arguments)
    case "squeue": return squeue(arguments)
    case "scontrol": return scontrol(arguments)
    case "sacct": return sacct(arguments)
    case "scancel":
      lock.withLock { for id in arguments where jobs[id].map({ SlurmJobState(state: $0.state, source: "").isActive }) ?? false { jobs[id]!.state = "CANCELLED" } }
      return CommandResult(status: 0, stdout: "")
    default: throw SlurmError.toolNotFound(tool)
    }
  }

  private func sbatch(_ arguments: [String]) throws -> CommandResult {
    guard sbatchAvailable else { throw SlurmError.toolNotFound("sbatch") }
    if arguments == ["--version"] { return CommandResult(status: 0, stdout: "slurm 22.05.8 (fake)\n") }
    if let rejection { return CommandResult(status: 1, stdout: "", stderr: rejection) }
    func value(_ option: String) -> String? {
      arguments.first { $0.hasPrefix(option + "=") }.map { String($0.dropFirst(option.count + 1)) }
    }
    let dependencies = value("--dependency").map { $0.dropFirst("afterok:".count).split(separator: ":").map(String.init) } ?? []
    return lock.withLock {
      let id = String(nextID)
      nextID += 1
      jobs[id] = Job(id: id, name: value("--job-name")!, dependencies: dependencies, options: arguments)
      order.append(id)
      return CommandResult(status: 0, stdout: id + "\n")
    }
  }

  /// One tick: start every pending job whose dependencies completed; cancel those behind a failure.
  func tick() {
    let ready: [Job] = lock.withLock {
      var ready: [Job] = []
      for id in order where jobs[id]!.state == "PENDING" {
        let states = jobs[id]!.dependencies.map { jobs[$0]?.state ?? "COMPLETED" }
        if states.contains(where: { ["FAILED", "CANCELLED", "TIMEOUT"].contains($0) }) {
          jobs[id]!.state = "CANCELLED"
          jobs[id]!.reason = "DependencyNeverSatisfied"
        } else if states.allSatisfy({ $0 == "COMPLETED" }) {
          jobs[id]!.state = "RUNNING"
          ready.append(jobs[id]!)
        }
      }
      return ready
    }
    for job in ready {
      let step = stepID(of: job)
      switch endings[step] {
      case .timeout:
        lock.withLock { jobs[job.id]!.state = "TIMEOUT"; jobs[job.id]!.reason = "TimeLimit"; jobs[job.id]!.exitCode = "0:15" }
      case .hold: break
      case nil:
        let code = execute?(step, job.id) ?? 0
        lock.withLock {
          jobs[job.id]!.state = code == 0 ? "COMPLETED" : "FAILED"
          jobs[job.id]!.exitCode = "\(code):0"
        }
      }
    }
  }

  func release(_ step: StepID) { endings[step] = nil }

  private func visible(_ job: Job) -> Bool { !purgeFinished || SlurmJobState(state: job.state, source: "").isActive }

  private func squeue(_ arguments: [String]) -> CommandResult {
    if let index = arguments.firstIndex(of: "--name") {
      let name = arguments[index + 1]
      return CommandResult(status: 0, stdout: submissions.filter { $0.name == name && visible($0) }.map { $0.id + "\n" }.joined())
    }
    tick()
    let ids = arguments[arguments.firstIndex(of: "-j")! + 1].split(separator: ",").map(String.init)
    let lines = lock.withLock { ids.compactMap { jobs[$0] }.filter(visible).map { "\($0.id)|\($0.state)|\($0.reason)\n" } }
    return CommandResult(status: 0, stdout: lines.joined())
  }

  private func scontrol(_ arguments: [String]) -> CommandResult {
    guard let job = lock.withLock({ jobs[arguments.last!] }), visible(job) else {
      return CommandResult(status: 1, stdout: "", stderr: "slurm_load_jobs error: Invalid job id specified")
    }
    return CommandResult(status: 0, stdout: "JobId=\(job.id) JobName=\(job.name) JobState=\(job.state) Reason=\(job.reason) ExitCode=\(job.exitCode)\n")
  }

  /// Plain sacct fails as without slurmdbd; `sacct -c` reads the completion log (CANCELLED and TIMEOUT as 0:0).
  private func sacct(_ arguments: [String]) -> CommandResult {
    guard arguments.contains("-c") else { return CommandResult(status: 1, stdout: "", stderr: "Slurm accounting storage is disabled") }
    let ids = arguments[arguments.firstIndex(of: "-j")! + 1].split(separator: ",").map(String.init)
    let lines = lock.withLock {
      ids.compactMap { jobs[$0] }.filter { !SlurmJobState(state: $0.state, source: "").isActive }
        .map { "\($0.id)|\($0.state)|\($0.state == "FAILED" ? $0.exitCode : "0:0")\n" }
    }
    return CommandResult(status: 0, stdout: lines.joined())
  }
}
