import Foundation

/// The batch script of one step's job. It runs the step through `mfd exec-step` (which plans the
/// sweep again on the node, runs exactly that step with the local executor's code and commits it
/// to the shared store), then writes the exit code to the job's exit file as its last act: the
/// executor's first and exact source of the outcome, on any cluster, with or without slurmdbd.
public struct SlurmJobScript: Sendable {
  /// Written into the script verbatim as `#SBATCH` lines.
  public var extraOptions: [String]
  /// Shell lines run first (`module load …`).
  public var setup: [String]
  public var workingDirectory: URL
  /// The `mfd exec-step …` command line; `--threads` with the CPUs Slurm allocated is appended.
  public var command: [String]
  /// The exit file's path with `%j` standing for the job id.
  public var exitPattern: String
  /// A comment line naming the step and attempt.
  public var title: String

  public init(extraOptions: [String], setup: [String], workingDirectory: URL, command: [String], exitPattern: String, title: String) {
    self.extraOptions = extraOptions
    self.setup = setup
    self.workingDirectory = workingDirectory
    self.command = command
    self.exitPattern = exitPattern
    self.title = title
  }

  public var text: String {
    let exit = Self.quote(exitPattern).replacingOccurrences(of: "%j", with: "'\"$SLURM_JOB_ID\"'")
    var lines = ["#!/bin/bash", "# \(title.replacingOccurrences(of: "\n", with: " "))"]
    lines += extraOptions.map { "#SBATCH \($0)" }
    lines += ["# Written by mfd's Slurm executor; the exit file below is how the runner learns the outcome."]
    lines += setup
    lines += [
      "cd \(Self.quote(workingDirectory.path)) || exit 1",
      command.map(Self.quote).joined(separator: " ") + " --threads \"${SLURM_CPUS_PER_TASK:-${SLURM_CPUS_ON_NODE:-1}}\"",
      "code=$?",
      "printf '%s\\n' \"$code\" > \(exit).tmp && mv -f \(exit).tmp \(exit)",
      "exit \"$code\"",
      "",
    ]
    return lines.joined(separator: "\n")
  }

  /// Single-quoted for bash (`'` as `'\''`).
  static func quote(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'" }
}
