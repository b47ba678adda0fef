import Foundation

/// What a command printed and how it exited.
public struct CommandResult: Sendable, Equatable {
  public var status: Int32
  public var stdout: String
  public var stderr: String

  public init(status: Int32, stdout: String, stderr: String = "") {
    self.status = status
    self.stdout = stdout
    self.stderr = stderr
  }
}

/// Runs a command-line tool. The Slurm executor talks to the cluster only through this, so tests
/// inject a scripted stand-in for `sbatch`/`squeue`/`scontrol`/`sacct`/`scancel`.
public protocol CommandRunning: Sendable {
  /// - Throws: `SlurmError.toolNotFound` when `tool` is not on `PATH`.
  func run(_ tool: String, _ arguments: [String]) throws -> CommandResult
}

/// Runs tools found on `PATH` as child processes.
public struct ProcessCommandRunner: CommandRunning {
  public init() {}

  public func run(_ tool: String, _ arguments: [String]) throws -> CommandResult {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
    guard let executable = path.split(separator: ":").map({ "\($0)/\(tool)" })
      .first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
      throw SlurmError.toolNotFound(tool)
    }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let output = Pipe(), errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    process.standardInput = FileHandle.nullDevice
    try process.run()
    // Read both pipes before waiting, so a chatty tool cannot fill a pipe and block.
    nonisolated(unsafe) var errorData = Data()
    let reader = Thread { errorData = errors.fileHandleForReading.readDataToEndOfFile() }
    reader.start()
    let outputData = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    while !reader.isFinished { usleep(1000) }
    return CommandResult(status: process.terminationStatus, stdout: String(decoding: outputData, as: UTF8.self),
                         stderr: String(decoding: errorData, as: UTF8.self))
  }
}

/// Failures talking to Slurm, with what the tool said.
public enum SlurmError: Error, Sendable, CustomStringConvertible {
  case toolNotFound(String)
  case rejected(tool: String, arguments: [String], status: Int32, stderr: String)
  case unexpectedOutput(tool: String, output: String)

  public var description: String {
    switch self {
    case .toolNotFound(let tool):
      return "\(tool) not found on PATH: the Slurm executor needs the Slurm client commands (sbatch, squeue, scontrol, "
        + "scancel); run on a login node, load the site's slurm module, or use --executor local"
    case .rejected(let tool, let arguments, let status, let stderr):
      let message = stderr.trimmingCharacters(in: .whitespacesAndNewlines)
      return "\(tool) \(arguments.joined(separator: " ")) failed (exit \(status)): \(message.isEmpty ? "no message" : message)"
    case .unexpectedOutput(let tool, let output):
      return "\(tool) printed something unexpected: '\(output.trimmingCharacters(in: .whitespacesAndNewlines))'"
    }
  }
}

/// One job as Slurm reports it: `state` is Slurm's (PENDING, RUNNING, COMPLETED, FAILED, TIMEOUT,
/// CANCELLED, NODE_FAIL, OUT_OF_MEMORY, …), `reason` its pending or end reason.
public struct SlurmJobState: Sendable, Equatable {
  public let state: String
  public let reason: String?
  /// `exit:signal` as Slurm prints it (`3:0`); nil when the source does not say.
  public let exitCode: String?
  /// Which command answered (squeue, scontrol, sacct), for messages.
  public let source: String

  public init(state: String, reason: String? = nil, exitCode: String? = nil, source: String) {
    // sacct writes "CANCELLED by 0"; scontrol may append "+" flags.
    self.state = String(state.split(separator: " ").first ?? "UNKNOWN").trimmingCharacters(in: CharacterSet(charactersIn: "+"))
    self.reason = reason.flatMap { $0.isEmpty || $0 == "None" || $0 == "(null)" ? nil : $0 }
    self.exitCode = exitCode
    self.source = source
  }

  static let activeStates: Set<String> = [
    "PENDING", "CONFIGURING", "RUNNING", "COMPLETING", "SUSPENDED", "REQUEUED", "REQUEUE_HOLD", "REQUEUE_FED",
    "RESIZING", "SIGNALING", "STAGE_OUT", "STOPPED", "RESV_DEL_HOLD", "POWER_UP_NODE",
  ]

  /// Queued or running: the job may still produce its step.
  public var isActive: Bool { Self.activeStates.contains(state) }
  public var isPending: Bool { state == "PENDING" }
  /// Cancelled by Slurm because a job it depends on failed (`--kill-on-invalid-dep=yes`).
  public var isDependencyNeverSatisfied: Bool { reason?.contains("DependencyNeverSatisfied") ?? false }
}

/// The Slurm commands the executor needs, each parsed into values. Ids are strings (array tasks are `8_2`).
public struct SlurmClient: Sendable {
  public let runner: any CommandRunning

  public init(runner: any CommandRunning = ProcessCommandRunner()) { self.runner = runner }

  /// Fails early, naming the missing tool, when `sbatch` cannot be run.
  public func checkAvailable() throws {
    _ = try runner.run("sbatch", ["--version"])
  }

  /// `sbatch --parsable OPTIONS SCRIPT`; returns the job id. Throws with sbatch's stderr when it refuses.
  public func submit(script: URL, options: [String]) throws -> String {
    let arguments = ["--parsable"] + options + [script.path]
    let result = try runner.run("sbatch", arguments)
    guard result.status == 0 else { throw SlurmError.rejected(tool: "sbatch", arguments: arguments, status: result.status, stderr: result.stderr) }
    // --parsable prints `id` or `id;cluster`.
    let id = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ";").first.map(String.init) ?? ""
    guard !id.isEmpty, id.allSatisfy({ $0.isNumber || $0 == "_" }) else { throw SlurmError.unexpectedOutput(tool: "sbatch", output: result.stdout) }
    return id
  }

  /// The state of each job Slurm still knows: `squeue` for the queue and recent jobs, then
  /// `scontrol show job -o` for each job squeue left out (kept for MinJobAge), then `sacct` (with
  /// slurmdbd) or `sacct -c` (the jobcomp/filetxt log) for jobs already purged. Ids nobody knows are absent.
  public func states(of ids: [String]) -> [String: SlurmJobState] {
    guard !ids.isEmpty else { return [:] }
    var states: [String: SlurmJobState] = [:]
    if let result = try? runner.run("squeue", ["-h", "-t", "all", "-j", ids.joined(separator: ","), "-o", "%i|%T|%r"]), result.status == 0 {
      for line in result.stdout.split(separator: "\n") {
        let fields = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        guard fields.count >= 3, ids.contains(fields[0]) else { continue }
        states[fields[0]] = SlurmJobState(state: fields[1], reason: fields[2], source: "squeue")
      }
    }
    // squeue has no exit code: ask scontrol about jobs that ended badly, so messages can give it.
    for id in ids where states[id] == nil || !(states[id]!.isActive || states[id]!.state == "COMPLETED") {
      guard let result = try? runner.run("scontrol", ["show", "job", "-o", id]), result.status == 0 else { continue }
      let fields = Self.keyValues(result.stdout)
      if let state = fields["JobState"] {
        states[id] = SlurmJobState(state: state, reason: fields["Reason"], exitCode: fields["ExitCode"], source: "scontrol")
      }
    }
    let missing = ids.filter { states[$0] == nil }
    guard !missing.isEmpty else { return states }
    for arguments in [["-X"], ["-c"]] {
      let query = missing.filter { states[$0] == nil }
      guard !query.isEmpty else { break }
      let full = arguments + ["-P", "-n", "-j", query.joined(separator: ","), "-o", "jobid,state,exitcode"]
      guard let result = try? runner.run("sacct", full), result.status == 0 else { continue }
      for line in result.stdout.split(separator: "\n") {
        let fields = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        guard fields.count >= 3, query.contains(fields[0]) else { continue }
        // The last line for an id wins: a requeued job's final state comes last.
        states[fields[0]] = SlurmJobState(state: fields[1], exitCode: fields[2], source: arguments == ["-c"] ? "sacct -c" : "sacct")
      }
    }
    return states
  }

  /// Ids of queued or recent jobs with this name (a job submitted by a runner killed before it recorded the id).
  public func jobs(named name: String) -> [String] {
    guard let result = try? runner.run("squeue", ["-h", "-t", "all", "--name", name, "-o", "%i"]), result.status == 0 else { return [] }
    return result.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
  }

  /// `scancel` the jobs (no-op for none).
  public func cancel(_ ids: [String]) throws {
    guard !ids.isEmpty else { return }
    let result = try runner.run("scancel", ids)
    guard result.status == 0 else { throw SlurmError.rejected(tool: "scancel", arguments: ids, status: result.status, stderr: result.stderr) }
  }

  /// `Key=Value Key=Value …` (one line of `scontrol show job -o`) as a dictionary.
  static func keyValues(_ line: String) -> [String: String] {
    var fields: [String: String] = [:]
    for token in line.split(whereSeparator: { $0 == " " || $0 == "\n" }) {
      guard let equals = token.firstIndex(of: "=") else { continue }
      let key = String(token[..<equals])
      if fields[key] == nil { fields[key] = String(token[token.index(after: equals)...]) }
    }
    return fields
  }
}
