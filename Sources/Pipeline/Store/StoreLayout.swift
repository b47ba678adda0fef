import Foundation

/// Where everything lives inside a store directory (default `.mfd/` in the repository root).
///
/// ```
/// <root>/lock                      flock'ed by the one runner; holds its pid and command line
/// <root>/status.json               live progress, replaced atomically by the runner
/// <root>/steps/<key>/outputs/…     a finished step's files (renamed into place from scratch)
/// <root>/steps/<key>/record.json   written last: the step is done only if this exists and verifies
/// <root>/scratch/<key>/outputs/    where an attempt writes; emptied before each attempt
/// <root>/scratch/<key>/work/       kept across attempts of the same key (epoch checkpoints)
/// <root>/index/<kind>/<name>.json  recent keys of a step id, to explain why a step runs again
/// <root>/locks/<key>               flock'ed by whoever writes that key (local worker or Slurm job)
/// <root>/jobs/<sweep>/…            Slurm job records, scripts, logs and exit files (`SlurmJobStore`)
/// ```
public struct StoreLayout: Sendable {
  public let root: URL

  public init(root: URL) { self.root = root.standardizedFileURL }

  /// `--store` if given, else `$MFD_STORE`, else `<repository>/.mfd`.
  public static func resolve(option: String?, environment: [String: String] = ProcessInfo.processInfo.environment,
                             repositoryRoot: URL) -> StoreLayout {
    if let option, !option.isEmpty { return StoreLayout(root: URL(fileURLWithPath: option)) }
    if let variable = environment["MFD_STORE"], !variable.isEmpty { return StoreLayout(root: URL(fileURLWithPath: variable)) }
    return StoreLayout(root: repositoryRoot.appendingPathComponent(".mfd"))
  }

  public var lockFile: URL { root.appendingPathComponent("lock") }
  public var statusFile: URL { root.appendingPathComponent("status.json") }
  public var stepsDirectory: URL { root.appendingPathComponent("steps") }
  public var scratchRoot: URL { root.appendingPathComponent("scratch") }
  public var indexRoot: URL { root.appendingPathComponent("index") }
  public var locksRoot: URL { root.appendingPathComponent("locks") }
  public var jobsRoot: URL { root.appendingPathComponent("jobs") }

  public func stepDirectory(_ key: StepKey) -> URL { stepsDirectory.appendingPathComponent(key.hex) }
  public func outputsDirectory(_ key: StepKey) -> URL { stepDirectory(key).appendingPathComponent("outputs") }
  public func recordFile(_ key: StepKey) -> URL { stepDirectory(key).appendingPathComponent("record.json") }
  public func scratchDirectory(_ key: StepKey) -> URL { scratchRoot.appendingPathComponent(key.hex) }
  public func scratchOutputs(_ key: StepKey) -> URL { scratchDirectory(key).appendingPathComponent("outputs") }
  public func scratchWork(_ key: StepKey) -> URL { scratchDirectory(key).appendingPathComponent("work") }
  public func stepLockFile(_ key: StepKey) -> URL { locksRoot.appendingPathComponent(key.hex) }
  public func indexFile(_ id: StepID) -> URL {
    indexRoot.appendingPathComponent(id.kind.rawValue).appendingPathComponent("\(id.name).json")
  }
}
