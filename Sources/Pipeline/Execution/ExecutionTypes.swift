import Foundation

/// How the local executor runs a plan.
public struct ExecutionOptions: Sendable {
  /// Steps running at once.
  public var jobs: Int
  /// Threads of the machine, divided evenly among the concurrent steps.
  public var totalThreads: Int
  /// On a failure, keep running everything that does not depend on it (otherwise start nothing new).
  public var keepGoing: Bool
  /// Extra attempts for a failed step (0: one attempt). A stop request is never retried.
  public var retries: Int
  /// Minimum seconds between two rewrites of the live status file for progress alone.
  public var statusInterval: Double
  /// Write `<store>/status.json`. Off for a Slurm job's single step: the file belongs to the runner.
  public var writesLiveStatus: Bool

  public init(jobs: Int = 1, totalThreads: Int = 1, keepGoing: Bool = false, retries: Int = 0, statusInterval: Double = 0.5,
              writesLiveStatus: Bool = true) {
    self.writesLiveStatus = writesLiveStatus
    self.jobs = max(1, jobs)
    self.totalThreads = max(1, totalThreads)
    self.keepGoing = keepGoing
    self.retries = max(0, retries)
    self.statusInterval = statusInterval
  }

  /// Threads per step: the machine's threads shared by the concurrent steps, at least 1.
  public var threadsPerStep: Int { max(1, totalThreads / jobs) }
}

/// What happened to one step of the plan.
public enum StepOutcome: Sendable, Equatable, CustomStringConvertible {
  case completed(seconds: Double)
  /// Its inputs were rebuilt to identical bytes, so its stored result was still valid.
  case reused
  case failed(String)
  /// Not run because an input failed or was not produced.
  case skipped(blockedBy: StepID)
  /// Not started: the run stopped (a stop request, or a failure without --keep-going).
  case notStarted
  /// Stopped at a safe point; resumes from its checkpoints next time.
  case cancelled
  /// Handed to Slurm as this job, which is still queued or running (`--detach`, or the runner was stopped).
  case submitted(job: String)
  /// Finished as this Slurm job while no runner watched it (found by a restarted runner).
  case collected(job: String)

  public var description: String {
    switch self {
    case .completed(let seconds): return "done in \(Duration.seconds(seconds).formattedShort)"
    case .reused: return "up to date (inputs rebuilt identically)"
    case .failed(let message): return "FAILED: \(message)"
    case .skipped(let id): return "skipped (needs \(id))"
    case .notStarted: return "not started"
    case .cancelled: return "stopped (resumes next run)"
    case .submitted(let job): return "Slurm job \(job) (queued or running)"
    case .collected(let job): return "done as Slurm job \(job) (collected)"
    }
  }
}

/// The result of executing a plan.
public struct ExecutionSummary: Sendable {
  /// For every step the plan had to run.
  public let outcomes: [StepID: StepOutcome]
  /// A stop was requested (SIGINT/SIGTERM).
  public let cancelled: Bool

  public init(outcomes: [StepID: StepOutcome], cancelled: Bool) {
    self.outcomes = outcomes
    self.cancelled = cancelled
  }

  public var failures: [(StepID, String)] {
    outcomes.compactMap { id, outcome in if case .failed(let m) = outcome { return (id, m) }; return nil }.sorted { $0.0 < $1.0 }
  }

  public var succeeded: Bool {
    !cancelled && outcomes.values.allSatisfy {
      switch $0 {
      case .completed, .reused, .collected: return true
      default: return false
      }
    }
  }
}

/// Receives the executor's events, e.g. to draw progress lines. Called from worker threads.
public protocol ExecutionObserver: Sendable {
  func stepStarted(_ id: StepID, threads: Int, attempt: Int)
  func stepProgressed(_ id: StepID, _ progress: StepProgress, etaSeconds: Double?)
  func stepFinished(_ id: StepID, _ outcome: StepOutcome, finished: Int, total: Int)
}

extension Duration {
  /// `42 s`, `12 min`, `3.5 h`, `4.2 d`: short, for plans and progress lines.
  public static func seconds(_ value: Double) -> Duration { .milliseconds(Int64((value * 1000).rounded())) }

  public var formattedShort: String {
    let seconds = Double(components.seconds) + Double(components.attoseconds) / 1e18
    if seconds < 90 { return "\(Int(seconds.rounded())) s" }
    if seconds < 90 * 60 { return "\(Int((seconds / 60).rounded())) min" }
    if seconds < 48 * 3600 { return String(format: "%.1f h", seconds / 3600) }
    return String(format: "%.1f d", seconds / 86400)
  }
}
