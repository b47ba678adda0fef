/// Why a step will (or will not) run: the answer to the most common complaint about DVC, Snakemake
/// and Nextflow ("why does it re-run?").
public enum PlanReason: Sendable, Equatable, CustomStringConvertible {
  case upToDate
  /// Never run with this key, and no earlier run of this id to compare with.
  case missing
  /// An earlier run of this id had a different config; the dotted paths that differ.
  case configChanged([String])
  /// The step's code version changed (from, to).
  case codeChanged(from: String, to: String)
  /// Inputs differ from the last run of this id, or will be rebuilt first.
  case inputChanged([StepID])
  /// An attempt started and left no record (crash, kill, stop request): it resumes from its checkpoints.
  case incomplete
  /// The record exists but the outputs do not match it.
  case corrupt(String)

  public var willRun: Bool { self != .upToDate }

  /// A short label for tables and JSON.
  public var label: String {
    switch self {
    case .upToDate: return "up to date"
    case .missing: return "missing"
    case .configChanged: return "config changed"
    case .codeChanged: return "code changed"
    case .inputChanged: return "input changed"
    case .incomplete: return "incomplete"
    case .corrupt: return "corrupt"
    }
  }

  public var description: String {
    switch self {
    case .configChanged(let paths): return "config changed: \(paths.prefix(4).joined(separator: ", "))\(paths.count > 4 ? ", …" : "")"
    case .codeChanged(let from, let to): return "code changed: \(from) → \(to)"
    case .inputChanged(let ids):
      return "input changed: \(ids.prefix(3).map(\.description).joined(separator: ", "))\(ids.count > 3 ? ", … (\(ids.count))" : "")"
    case .corrupt(let problem): return "corrupt: \(problem)"
    default: return label
    }
  }
}
