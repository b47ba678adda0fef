import Foundation
import TestSupport
import Testing

/// The Slurm client a test can use: `SLURM_CONF` set and `sinfo` answering. `make test-slurm`
/// starts a private cluster (scripts/slurm/cluster.sh) and sets `MFD_REQUIRE_SLURM=1`, which turns
/// a missing cluster into a failure instead of a skip.
enum SlurmCluster {
  static let required = ProcessInfo.processInfo.environment["MFD_REQUIRE_SLURM"] == "1"

  static let available: Bool = {
    guard ProcessInfo.processInfo.environment["SLURM_CONF"] != nil else { return false }
    return (try? run("sinfo", ["-h"]).status) == 0
  }()

  static let skipReason: Comment = "no Slurm cluster is up (SLURM_CONF unset or sinfo fails): 'make test-slurm' starts one and runs these"

  /// Runs a tool from PATH; returns its status and stdout.
  @discardableResult
  static func run(_ tool: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [tool] + arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
  }
}

/// The Slurm executor against a real Slurm (slurmctld + slurmd + munge on this machine): the tiny
/// Fashion-MNIST grid as jobs, a runner SIGKILLed mid-sweep and restarted, a failing job, a job
/// killed at its time limit, and `mfd cancel`.
@Suite(.serialized, .enabled(if: SlurmCluster.available || SlurmCluster.required, SlurmCluster.skipReason),
       .enabled(if: FileManager.default.fileExists(atPath: TinyFashionMNISTGrid.debianFolder), "dataset-fashion-mnist is not installed"))
struct SlurmClusterTests {
  /// A scratch repository with the tiny grid as `manifests/<name>.yaml`, its table id unique to this
  /// run (job names carry it, so the cluster's job history tells this run's jobs apart).
  final class Workspace {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("mfd-slurm-\(UUID().uuidString.prefix(8))")
    let table = "slurm\(UInt32.random(in: 0...UInt32.max))"

    init() throws {
      try FileManager.default.createDirectory(at: root.appendingPathComponent("manifests"), withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: root) }

    /// Writes `manifests/<name>.yaml`: the tiny grid with `executor: slurm` and the `slurm:` lines given.
    func manifest(_ name: String, slurm: String = "default: {cpus: 1}") throws {
      let text = TinyFashionMNISTGrid.manifest(epochs: 2, milestones: [1], seeds: [0, 1], trainSubset: 96, testSubset: 48)
        .replacingOccurrences(of: "id: tiny", with: "id: \(table)")
        .trimmingCharacters(in: .whitespacesAndNewlines)
        + "\n    executor: slurm\n    slurm:\n" + slurm.split(separator: "\n").map { "      \($0)\n" }.joined()
      try text.write(to: root.appendingPathComponent("manifests/\(name).yaml"), atomically: true, encoding: .utf8)
    }

    /// Starts `mfd ARGUMENTS` in the workspace; stdout and stderr go to `log`.
    func launch(_ arguments: [String], log: String) throws -> Process {
      let process = Process()
      process.executableURL = KilledSweepTests.binary
      process.arguments = arguments
      process.currentDirectoryURL = root
      var environment = ProcessInfo.processInfo.environment
      environment["MFD_DATA_ROOT"] = root.appendingPathComponent("data").path
      process.environment = environment
      _ = FileManager.default.createFile(atPath: root.appendingPathComponent(log).path, contents: nil)
      let handle = try FileHandle(forWritingTo: root.appendingPathComponent(log))
      process.standardOutput = handle
      process.standardError = handle
      try process.run()
      return process
    }

    /// Runs `mfd ARGUMENTS` to the end; returns its exit status and output.
    func mfd(_ arguments: [String]) throws -> (status: Int32, output: String) {
      let log = "mfd-\(UUID().uuidString.prefix(6)).log"
      let process = try launch(arguments, log: log)
      process.waitUntilExit()
      return (process.terminationStatus, (try? String(contentsOf: root.appendingPathComponent(log), encoding: .utf8)) ?? "")
    }

    func file(_ path: String) -> URL { root.appendingPathComponent(path) }

    /// `job step` per line of the runner's submission history.
    func submissions(store: String, sweep: String) -> [(job: String, step: String)] {
      let text = (try? String(contentsOf: file("\(store)/jobs/\(sweep)/submissions.log"), encoding: .utf8)) ?? ""
      return text.split(separator: "\n").map { line in
        let fields = line.split(separator: " ")
        return (String(fields[0]), String(fields[1]))
      }
    }
  }

  @Test func sweepWithTheRunnerKilledAndRestartedEndsWithTheLocalTableAndNoDuplicateJobs() throws {
    try #require(SlurmCluster.available, SlurmCluster.skipReason)
    let workspace = try Workspace()
    try workspace.manifest("tiny")
    let local = try workspace.mfd(["run", "tiny", "--executor", "local", "--threads", "1", "--store", "store-local", "--output", "local"])
    #expect(local.status == 0, "\(local.output)")

    let sweep = "\(workspace.table)-tiny"
    let first = try workspace.launch(["run", "tiny", "--store", "store-slurm", "--output", "slurm", "--poll-seconds", "0.5"], log: "first.log")
    // Kill the runner once it has queued the whole graph and at least one job has finished.
    let deadline = Date().addingTimeInterval(120)
    while Date() < deadline {
      let exits = (try? FileManager.default.subpathsOfDirectory(atPath: workspace.file("store-slurm/jobs/\(sweep)").path))?
        .filter { $0.hasSuffix(".exit") } ?? []
      if workspace.submissions(store: "store-slurm", sweep: sweep).count == 19, !exits.isEmpty { break }
      Thread.sleep(forTimeInterval: 0.2)
    }
    kill(first.processIdentifier, SIGKILL)
    first.waitUntilExit()
    let queued = try SlurmCluster.run("squeue", ["-h", "--name", workspace.submissions(store: "store-slurm", sweep: sweep).map { "\(workspace.table)-tiny:\($0.step)" }.joined(separator: ","), "-o", "%i"])
    #expect(!queued.output.isEmpty, "jobs should still be queued or running after the runner was killed")

    let second = try workspace.mfd(["run", "tiny", "--store", "store-slurm", "--output", "slurm", "--poll-seconds", "0.5"])
    #expect(second.status == 0, "\(second.output)")

    let history = workspace.submissions(store: "store-slurm", sweep: sweep)
    #expect(history.count == 19 && Set(history.map(\.step)).count == 19, "each step submitted once: \(history)")
    // The cluster's own history (jobcomp/filetxt through sacct -c): one job per step name.
    let accounting = try SlurmCluster.run("sacct", ["-c", "-P", "-n", "-j", history.map(\.job).joined(separator: ","), "-o", "jobid,jobname,state"])
    let names = accounting.output.split(separator: "\n").map { $0.split(separator: "|")[1] }
    #expect(names.count == 19 && Set(names).count == 19, "\(accounting.output)")
    let all = try SlurmCluster.run("sacct", ["-c", "-P", "-n", "-S", "now-1days", "-o", "jobname"])
    let ours = all.output.split(separator: "\n").filter { $0.hasPrefix("\(workspace.table)-tiny:") }
    #expect(ours.count == 19, "sacct -c lists \(ours.count) jobs for this sweep")

    let expected = try Data(contentsOf: workspace.file("local/\(workspace.table).md"))
    let table = try Data(contentsOf: workspace.file("slurm/\(workspace.table).md"))
    #expect(table == expected, "\(String(decoding: table, as: UTF8.self))\nvs\n\(String(decoding: expected, as: UTF8.self))")
  }

  @Test func failingJobAndJobKilledAtItsTimeLimitAreReportedWithTheirCause() throws {
    try #require(SlurmCluster.available, SlurmCluster.skipReason)
    let workspace = try Workspace()
    // The fetch job sleeps past a 1-minute limit: Slurm kills it (TIMEOUT) before it writes its exit file.
    try workspace.manifest("slow", slurm: "default: {cpus: 1}\nfetch: {time: \"1\", setup: [\"sleep 300\"]}")
    let detached = try workspace.mfd(["run", "slow", "--store", "store-slow", "--detach"])
    #expect(detached.status == 0 && detached.output.contains("Slurm job(s) queued or running"), "\(detached.output)")
    let status = try workspace.mfd(["status", "slow", "--store", "store-slow"])
    #expect(status.output.contains("fetch@fashion_mnist: job "), "\(status.output)")

    // Meanwhile: preprocessing fails (its job script exits 3 before the step runs).
    try workspace.manifest("broken", slurm: "default: {cpus: 1}\npreprocess: {setup: [\"exit 3\"]}")
    let broken = try workspace.mfd(["run", "broken", "--store", "store-broken", "--poll-seconds", "0.5"])
    #expect(broken.status == 1, "\(broken.output)")
    #expect(broken.output.contains("✗ preprocess@fashion_mnist") && broken.output.contains("FAILED"), "\(broken.output)")
    #expect(broken.output.contains("exit 3:0"), "\(broken.output)")

    // Reattach to the detached sweep and wait for Slurm to kill the sleeping job.
    let started = Date()
    let slow = try workspace.mfd(["run", "slow", "--store", "store-slow", "--poll-seconds", "1"])
    #expect(slow.status == 1, "\(slow.output)")
    #expect(slow.output.contains("✗ fetch@fashion_mnist") && slow.output.contains("TIMEOUT"), "\(slow.output)")
    let history = workspace.submissions(store: "store-slow", sweep: "\(workspace.table)-tiny")
    #expect(history.count == 19, "the restarted runner reattached instead of resubmitting: \(history.count) submissions")
    print("time limit reached \(Int(Date().timeIntervalSince(started))) s after reattaching")
  }

  @Test func cancelStopsTheSweepsQueuedAndRunningJobs() throws {
    try #require(SlurmCluster.available, SlurmCluster.skipReason)
    let workspace = try Workspace()
    try workspace.manifest("held", slurm: "default: {cpus: 1}\nfetch: {setup: [\"sleep 300\"]}")
    let detached = try workspace.mfd(["run", "held", "--store", "store-held", "--detach"])
    #expect(detached.status == 0, "\(detached.output)")
    let cancelled = try workspace.mfd(["cancel", "held", "--store", "store-held"])
    #expect(cancelled.status == 0 && cancelled.output.contains("19 job(s) cancelled"), "\(cancelled.output)")
    Thread.sleep(forTimeInterval: 1)
    let status = try workspace.mfd(["status", "held", "--store", "store-held"])
    #expect(status.output.contains("fetch@fashion_mnist: job") && status.output.contains("CANCELLED"), "\(status.output)")
    let again = try workspace.mfd(["cancel", "held", "--store", "store-held"])
    #expect(again.output.contains("no queued or running Slurm jobs"), "\(again.output)")
  }
}
