import Foundation

/// Where a submitted step stands, as the executor, `mfd status` and `mfd cancel` need it.
public enum SlurmJobStatus: Sendable, Equatable, CustomStringConvertible {
  /// Queued or running (Slurm's state and reason).
  case active(SlurmJobState)
  /// The step committed its result (exit file 0, or Slurm says COMPLETED).
  case succeeded
  case failed(String)
  /// Cancelled by a person (`mfd cancel`, `scancel`).
  case cancelled
  /// Cancelled by Slurm because a job it waited for failed (`--kill-on-invalid-dep=yes`).
  case dependencyFailed
  /// The runner died between writing the intent and `sbatch` answering, and no job has that name.
  case neverSubmitted

  public var description: String {
    switch self {
    case .active(let state): return state.state + (state.reason.map { " (\($0))" } ?? "")
    case .succeeded: return "COMPLETED"
    case .failed(let message): return "FAILED: \(message)"
    case .cancelled: return "CANCELLED"
    case .dependencyFailed: return "CANCELLED (an input's job failed)"
    case .neverSubmitted: return "not submitted"
    }
  }
}

/// Decides each job's status, best source first: the exit file the job script writes (any
/// cluster, exact exit code), then Slurm (`SlurmClient.states`) for jobs killed before they could
/// write it (time limit, cancellation, node failure, out of memory).
public struct SlurmJobTracker: Sendable {
  public let jobs: SlurmJobStore
  public let client: SlurmClient

  public init(jobs: SlurmJobStore, client: SlurmClient) {
    self.jobs = jobs
    self.client = client
  }

  /// A record's job id, looking a missing one up by job name (see `SlurmJobRecord`).
  public func jobID(of record: SlurmJobRecord) -> String? {
    record.jobID ?? client.jobs(named: record.jobName).last
  }

  /// The status of each record's job, by step id (one batch of Slurm queries for all of them).
  public func statuses(_ records: [SlurmJobRecord]) -> [StepID: (jobID: String?, status: SlurmJobStatus)] {
    var result: [StepID: (jobID: String?, status: SlurmJobStatus)] = [:]
    var ask: [(record: SlurmJobRecord, jobID: String, exit: Int32?)] = []
    for record in records {
      guard let jobID = jobID(of: record) else {
        result[record.id] = (nil, .neverSubmitted)
        continue
      }
      let exit = jobs.exitCode(record.id, jobID: jobID)
      if exit == 0 { result[record.id] = (jobID, .succeeded) } else { ask.append((record, jobID, exit)) }
    }
    let states = client.states(of: ask.map(\.jobID))
    for (record, jobID, earlyExit) in ask {
      let state = states[jobID]
      // A job that ended between the two reads has written its exit file by now: read it again.
      let exit = earlyExit ?? (state?.isActive == true ? nil : jobs.exitCode(record.id, jobID: jobID))
      if exit == 0 {
        result[record.id] = (jobID, .succeeded)
        continue
      }
      let tail = jobs.logTail(record.id, jobID: jobID).map { "\n" + $0.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n") } ?? ""
      let status: SlurmJobStatus
      if let exit, [130, 143].contains(exit), let state, state.isActive {
        // The step stopped on SIGTERM (time limit or scancel): wait until Slurm says which.
        status = .active(state)
      } else if exit != nil, let state, state.state == "CANCELLED" {
        status = state.isDependencyNeverSatisfied ? .dependencyFailed : .cancelled
      } else if let exit {
        // The step ended by itself; Slurm may still say why (a TIMEOUT's SIGTERM makes the step exit 130).
        let why = state.flatMap { ["TIMEOUT", "CANCELLED", "NODE_FAIL", "OUT_OF_MEMORY", "PREEMPTED"].contains($0.state) ? " (Slurm: \($0.state))" : nil } ?? ""
        status = .failed("job \(jobID) exited with \(exit)\(why); log \(jobs.logFile(record.id, jobID: jobID).path)\(tail)")
      } else if let state {
        switch state.state {
        case _ where state.isActive: status = .active(state)
        case "COMPLETED": status = .succeeded
        case "CANCELLED": status = state.isDependencyNeverSatisfied ? .dependencyFailed : .cancelled
        default:
          let detail = [state.reason, state.exitCode.map { "exit \($0)" }].compactMap { $0 }.joined(separator: ", ")
          status = .failed("job \(jobID) ended \(state.state)\(detail.isEmpty ? "" : " (\(detail))") according to \(state.source), "
            + "before writing its exit file; log \(jobs.logFile(record.id, jobID: jobID).path)\(tail)")
        }
      } else {
        status = .failed("job \(jobID) is unknown to squeue, scontrol and sacct and wrote no exit file "
          + "(purged from Slurm's memory, or the store is not on a filesystem the nodes share)")
      }
      result[record.id] = (jobID, status)
    }
    return result
  }
}
