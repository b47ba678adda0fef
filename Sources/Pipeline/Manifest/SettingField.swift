/// One typed training setting of a profile, addressed by a dotted path (`optimizer.lr`): nested
/// keys in YAML, the same path in `--set optimizer.lr=0.05`.
public struct SettingField: Sendable {
  public enum Kind: Sendable, Equatable {
    /// An integer no smaller than `minimum`.
    case int(minimum: Int)
    /// An integer no smaller than `minimum`, or null meaning "all" (e.g. the whole training set).
    case intOrNull(minimum: Int)
    /// A finite number no smaller than `minimum` (exclusive when `exclusive`).
    case double(minimum: Double, exclusive: Bool)
    case bool
    /// A string from a fixed vocabulary.
    case choice([String])
    /// A list of integers no smaller than `minimum`; `nonEmpty` forbids `[]`.
    case intList(minimum: Int, nonEmpty: Bool)
  }

  public let path: String
  public let kind: Kind
  /// What the setting means, with its unit.
  public let help: String

  public init(_ path: String, _ kind: Kind, _ help: String) {
    self.path = path
    self.kind = kind
    self.help = help
  }

  var expectation: String {
    switch kind {
    case .int(let minimum): return "an integer ≥ \(minimum)"
    case .intOrNull(let minimum): return "an integer ≥ \(minimum) or null (all)"
    case .double(let minimum, let exclusive): return "a number \(exclusive ? ">" : "≥") \(minimum)"
    case .bool: return "true or false"
    case .choice(let allowed): return "one of \(allowed.joined(separator: ", "))"
    case .intList(let minimum, let nonEmpty):
      return "a \(nonEmpty ? "non-empty " : "")list of integers ≥ \(minimum)"
    }
  }

  /// Checks the range of an already typed value; returns a message when it is out of range.
  func rangeProblem(_ value: ConfigValue) -> String? {
    switch (kind, value) {
    case (.int(let minimum), .int(let v)), (.intOrNull(let minimum), .int(let v)):
      return v < minimum ? "\(v) is below the minimum \(minimum)" : nil
    case (.intOrNull, .null): return nil
    case (.double(let minimum, let exclusive), .double(let v)):
      return (exclusive ? v <= minimum : v < minimum) ? "\(v) must be \(exclusive ? ">" : "≥") \(minimum)" : nil
    case (.intList(let minimum, let nonEmpty), .array(let values)):
      if nonEmpty, values.isEmpty { return "the list is empty; give at least one value" }
      if let low = values.compactMap(\.intValue).first(where: { $0 < minimum }) { return "\(low) is below the minimum \(minimum)" }
      if Set(values).count != values.count { return "the list repeats a value" }
      return nil
    default: return nil
    }
  }
}
