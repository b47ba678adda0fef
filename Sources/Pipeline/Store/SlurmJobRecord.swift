import Foundation

/// The Slurm job that computes one step of a sweep, written to the store *before* `sbatch` is
/// called (without a job id) and again the moment it answers (with it). A runner killed at any
/// point therefore leaves either a job id to reattach to, or a job name to look the job up by:
/// never a job nobody knows about, so a restart never submits a step twice (Nextflow #1448).
public struct SlurmJobRecord: Sendable, Codable, Equatable {
  public let id: StepID
  /// nil between writing the intent and `sbatch` answering.
  public var jobID: String?
  /// `--job-name`, unique per sweep and step: how a job whose id was never recorded is found.
  public let jobName: String
  /// SHA-256 of the step's canonical config: a job for another config (the manifest changed) is not adopted.
  public let configDigest: String
  /// 1 for the first submission of this run, 2 for the first retry, …
  public let attempt: Int
  /// Job ids this one waits for (`--dependency=afterok:…`).
  public let dependencies: [String]
  /// ISO 8601.
  public let submittedAt: String

  public init(id: StepID, jobID: String?, jobName: String, configDigest: String, attempt: Int,
              dependencies: [String], submittedAt: String) {
    self.id = id
    self.jobID = jobID
    self.jobName = jobName
    self.configDigest = configDigest
    self.attempt = attempt
    self.dependencies = dependencies
    self.submittedAt = submittedAt
  }

  /// The digest recorded for a step's config.
  public static func digest(of config: ConfigValue) -> String { SHA256Hex.of(Data(config.canonicalJSON.utf8)) }
}

/// The files of one sweep's Slurm jobs, under `<store>/jobs/<table>-<profile>/<kind>/`:
///
/// ```
/// <name>.json            the SlurmJobRecord (atomic, durable)
/// <name>.sh              the job script
/// <name>.<jobid>.out     the job's stdout and stderr
/// <name>.<jobid>.exit    the step's exit code, written by the job script as its last act
/// ../submissions.log     one line per sbatch: job id, step id, attempt (history for humans and tests)
/// ```
/// The store must be on a filesystem the compute nodes share: jobs write their logs, exit files
/// and results there.
public struct SlurmJobStore: Sendable {
  public let directory: URL
  let durable: Bool

  public init(layout: StoreLayout, sweep: String, durable: Bool = true) {
    directory = layout.jobsRoot.appendingPathComponent(sweep)
    self.durable = durable
  }

  private func base(_ id: StepID) -> URL {
    directory.appendingPathComponent(id.kind.rawValue).appendingPathComponent(id.name)
  }

  public func recordFile(_ id: StepID) -> URL { base(id).appendingPathExtension("json") }
  public func scriptFile(_ id: StepID) -> URL { base(id).appendingPathExtension("sh") }
  /// With `%j` for the job id, as `sbatch --output` takes it.
  public func logPattern(_ id: StepID) -> String { base(id).path + ".%j.out" }
  public func logFile(_ id: StepID, jobID: String) -> URL { URL(fileURLWithPath: base(id).path + ".\(jobID).out") }
  /// The job script writes `<name>.$SLURM_JOB_ID.exit`.
  public func exitFile(_ id: StepID, jobID: String) -> URL { URL(fileURLWithPath: base(id).path + ".\(jobID).exit") }
  public var historyFile: URL { directory.appendingPathComponent("submissions.log") }

  public func record(for id: StepID) -> SlurmJobRecord? {
    guard let data = FileManager.default.contents(atPath: recordFile(id).path) else { return nil }
    return try? JSONDecoder().decode(SlurmJobRecord.self, from: data)
  }

  public func write(_ record: SlurmJobRecord) throws {
    try StoreFile.writeJSON(record, to: recordFile(record.id), durable: durable)
  }

  /// Every record of this sweep.
  public func records() -> [SlurmJobRecord] {
    let kinds = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
    var result: [SlurmJobRecord] = []
    for kind in kinds.sorted() {
      guard let stepKind = StepKind(rawValue: kind) else { continue }
      let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent(kind).path)) ?? []
      for file in files.sorted() where file.hasSuffix(".json") && !file.hasPrefix(".") {
        if let record = record(for: StepID(stepKind, String(file.dropLast(5)))) { result.append(record) }
      }
    }
    return result
  }

  /// The exit code the job script wrote, if it got that far.
  public func exitCode(_ id: StepID, jobID: String) -> Int32? {
    guard let data = FileManager.default.contents(atPath: exitFile(id, jobID: jobID).path),
          let text = String(data: data, encoding: .utf8) else { return nil }
    return Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
  }

  /// The last `lines` lines of the job's log, for failure messages.
  public func logTail(_ id: StepID, jobID: String, lines: Int = 5) -> String? {
    guard let data = FileManager.default.contents(atPath: logFile(id, jobID: jobID).path) else { return nil }
    let text = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: true)
    return text.isEmpty ? nil : text.suffix(lines).joined(separator: "\n")
  }

  /// Appends `jobid stepid attempt` to the history (best effort: it is not what reattachment reads).
  public func appendHistory(_ record: SlurmJobRecord) {
    let line = "\(record.jobID ?? "?") \(record.id) attempt \(record.attempt) \(record.submittedAt)\n"
    try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    if let handle = FileHandle(forWritingAtPath: historyFile.path) {
      handle.seekToEndOfFile()
      handle.write(Data(line.utf8))
      try? handle.close()
    } else {
      try? Data(line.utf8).write(to: historyFile)
    }
  }
}
