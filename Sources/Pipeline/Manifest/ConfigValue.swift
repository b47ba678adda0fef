/// A JSON-shaped value: resolved settings, step configurations and their canonical hashing form.
///
/// Numbers keep the type the schema gives them (`lambda: 1` is the double 1.0 because λ is a
/// number), so the canonical JSON and therefore the step key never depend on how the YAML spelt it.
public enum ConfigValue: Sendable, Hashable, Codable, CustomStringConvertible {
  case null
  case bool(Bool)
  case int(Int)
  case double(Double)
  case string(String)
  case array([ConfigValue])
  case object([String: ConfigValue])

  public init(from decoder: Decoder) throws {
    let container = try decoder.singleValueContainer()
    if container.decodeNil() { self = .null }
    else if let value = try? container.decode(Bool.self) { self = .bool(value) }
    else if let value = try? container.decode(Int.self) { self = .int(value) }
    else if let value = try? container.decode(Double.self) { self = .double(value) }
    else if let value = try? container.decode(String.self) { self = .string(value) }
    else if let value = try? container.decode([ConfigValue].self) { self = .array(value) }
    else { self = .object(try container.decode([String: ConfigValue].self)) }
  }

  public func encode(to encoder: Encoder) throws {
    var container = encoder.singleValueContainer()
    switch self {
    case .null: try container.encodeNil()
    case .bool(let value): try container.encode(value)
    case .int(let value): try container.encode(value)
    case .double(let value): try container.encode(value)
    case .string(let value): try container.encode(value)
    case .array(let value): try container.encode(value)
    case .object(let value): try container.encode(value)
    }
  }

  /// The canonical JSON text (see `canonicalJSON`), also used for display.
  public var description: String { canonicalJSON }

  public var intValue: Int? { if case .int(let v) = self { return v }; return nil }
  public var doubleValue: Double? {
    switch self {
    case .double(let v): return v
    case .int(let v): return Double(v)
    default: return nil
    }
  }
  public var stringValue: String? { if case .string(let v) = self { return v }; return nil }
  public var boolValue: Bool? { if case .bool(let v) = self { return v }; return nil }
  public var arrayValue: [ConfigValue]? { if case .array(let v) = self { return v }; return nil }
  public var objectValue: [String: ConfigValue]? { if case .object(let v) = self { return v }; return nil }

  /// The value at a dotted path inside nested objects (`optimizer.lr`).
  public subscript(path path: String) -> ConfigValue? {
    var current: ConfigValue? = self
    for part in path.split(separator: ".") { current = current?.objectValue?[String(part)] }
    return current
  }
}
