/// What a step does. The Steps module provides a `StepRunner` per kind.
public enum StepKind: String, Sendable, CaseIterable, Codable, Comparable {
  case fetch, preprocess, train, evaluate, aggregate
  /// A figure drawn from trained models (`figures:` in a manifest); runs after the table.
  case figure

  public static func < (a: StepKind, b: StepKind) -> Bool {
    allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
  }
}

/// A readable, deterministic step id: `kind@name`, e.g. `train@resnext50_32x4d-cifar100-mfd1-s0`.
public struct StepID: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
  public let kind: StepKind
  public let name: String

  public init(_ kind: StepKind, _ name: String) {
    self.kind = kind
    self.name = name
  }

  /// Parses `kind@name`; nil when the kind is unknown or the text has no `@`.
  public init?(parsing text: String) {
    guard let at = text.firstIndex(of: "@"), let kind = StepKind(rawValue: String(text[..<at])) else { return nil }
    self.init(kind, String(text[text.index(after: at)...]))
  }

  public var description: String { "\(kind.rawValue)@\(name)" }

  /// Orders by kind (pipeline order), then name, so listings read top-down.
  public static func < (a: StepID, b: StepID) -> Bool {
    a.kind != b.kind ? a.kind < b.kind : a.name < b.name
  }

  public init(from decoder: Decoder) throws {
    let text = try decoder.singleValueContainer().decode(String.self)
    guard let id = StepID(parsing: text) else {
      throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a step id: \(text)"))
    }
    self = id
  }

  public func encode(to encoder: Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(description)
  }
}

/// One node of the step graph: what to run, with which configuration, after which steps.
public struct Step: Sendable, Equatable {
  public let id: StepID
  /// The resolved configuration, a JSON object; hashed canonically into the step key.
  public let config: ConfigValue
  /// Steps whose outputs this step reads, in a fixed order (the runner gets their directories in it).
  public let inputs: [StepID]

  public init(id: StepID, config: ConfigValue, inputs: [StepID]) {
    self.id = id
    self.config = config
    self.inputs = inputs
  }
}
