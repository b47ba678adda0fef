/// A partial set of training settings from one source (a profile, a manifest override, `--set`),
/// each value remembering where it was written so later checks can point at it.
public struct SettingsLayer: Sendable, Equatable {
  public struct Entry: Sendable, Equatable {
    public var value: ConfigValue
    public var location: SourceLocation
  }

  /// Dotted path → value.
  public private(set) var entries: [String: Entry] = [:]

  public init() {}

  /// This layer with `other`'s values written over it.
  public func overridden(by other: SettingsLayer) -> SettingsLayer {
    var merged = self
    merged.entries.merge(other.entries) { _, new in new }
    return merged
  }

  mutating func set(_ path: String, _ value: ConfigValue, at location: SourceLocation) {
    entries[path] = Entry(value: value, location: location)
  }

  /// Reads nested YAML settings (`optimizer: {lr: 0.1}`) under the node, rejecting unknown keys.
  init(yaml node: YAMLNode, ignoring reservedKeys: [String] = []) throws(ManifestError) {
    try read(node, prefix: "", reservedKeys: reservedKeys)
  }

  private mutating func read(_ node: YAMLNode, prefix: String, reservedKeys: [String]) throws(ManifestError) {
    let mapping = try node.mapping()
    let allowed = TrainingSettingsSchema.childKeys(of: prefix)
    try mapping.rejectUnknownKeys(allowed: allowed + reservedKeys)
    for entry in mapping.entries where !reservedKeys.contains(entry.key) {
      let path = prefix.isEmpty ? entry.key : "\(prefix).\(entry.key)"
      if let field = TrainingSettingsSchema.fieldsByPath[path] {
        set(path, try Self.value(of: entry.value, for: field), at: entry.value.location)
      } else {
        try read(entry.value, prefix: path, reservedKeys: [])
      }
    }
  }

  static func value(of node: YAMLNode, for field: SettingField) throws(ManifestError) -> ConfigValue {
    let value: ConfigValue
    switch field.kind {
    case .int: value = .int(try node.int())
    case .intOrNull: value = node.isNull ? .null : .int(try node.int())
    case .double: value = .double(try node.double())
    case .bool: value = .bool(try node.bool())
    case .choice(let allowed): value = .string(try node.oneOf(allowed))
    case .intList:
      var elements: [ConfigValue] = []
      for element in try node.sequence() { elements.append(.int(try element.int())) }
      value = .array(elements)
    }
    if let problem = field.rangeProblem(value) { throw node.error("\(problem) (\(field.help))") }
    return value
  }
}
