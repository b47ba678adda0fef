import Yams

/// A composed YAML node with the file it came from and its dotted key path, so every read can fail
/// with `file:line:column: key.path: what is wrong`.
///
/// Reading goes through these typed accessors instead of `YAMLDecoder`, which ignores unknown keys and
/// reports missing ones without a position.
struct YAMLNode {
  let node: Node
  let file: String
  /// Dotted path from the document root, `[i]` for list elements ("" for the root).
  let path: String
  /// Where this node's key is written, for values reached through a mapping.
  var keyLocation: SourceLocation?

  init(node: Node, file: String, path: String, keyLocation: SourceLocation? = nil) {
    self.node = node
    self.file = file
    self.path = path
    self.keyLocation = keyLocation
  }

  /// A scalar's own position; for a mapping or list, the line of its key (a block mapping starts
  /// on the line after its key, which is not where a reader looks for it).
  var location: SourceLocation {
    if case .scalar = node {} else if let keyLocation { return keyLocation }
    let mark = node.mark
    return SourceLocation(file: file, line: mark?.line ?? 0, column: mark?.column ?? 0)
  }

  func error(_ message: String) -> ManifestError {
    ManifestError(location, keyPath: path, message)
  }

  /// The path of a child key (`grid` + `model` → `grid.model`).
  func childPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

  /// A short description of what the node is, for "expected X, found Y" messages.
  var kindDescription: String {
    switch node {
    case .mapping: return "a mapping"
    case .sequence: return "a list"
    case .alias: return "an alias"
    case .scalar(let scalar):
      if scalar.style == .plain, isNullLiteral(scalar.string) { return "null" }
      return "'\(scalar.string)'"
    }
  }

  func mapping() throws(ManifestError) -> YAMLMapping {
    guard case .mapping(let mapping) = node else { throw error("expected a mapping of keys, found \(kindDescription)") }
    return try YAMLMapping(mapping, parent: self)
  }

  func sequence() throws(ManifestError) -> [YAMLNode] {
    guard case .sequence(let sequence) = node else { throw error("expected a list, found \(kindDescription)") }
    return sequence.enumerated().map { index, element in
      YAMLNode(node: element, file: file, path: "\(path)[\(index)]")
    }
  }

  /// A non-empty list.
  func nonEmptySequence() throws(ManifestError) -> [YAMLNode] {
    let elements = try sequence()
    guard !elements.isEmpty else { throw error("the list is empty; give at least one value") }
    return elements
  }

  var isNull: Bool {
    if case .scalar(let scalar) = node, scalar.style == .plain { return isNullLiteral(scalar.string) }
    return false
  }

  private func scalarText(expected: String) throws(ManifestError) -> (text: String, plain: Bool) {
    guard case .scalar(let scalar) = node else { throw error("expected \(expected), found \(kindDescription)") }
    return (scalar.string, scalar.style == .plain)
  }

  func string() throws(ManifestError) -> String {
    let (text, plain) = try scalarText(expected: "a string")
    if plain, isNullLiteral(text) { throw error("expected a string, found null") }
    guard !text.isEmpty else { throw error("expected a non-empty string") }
    return text
  }

  func int() throws(ManifestError) -> Int {
    let (text, plain) = try scalarText(expected: "an integer")
    guard plain, let value = Int(text.replacingOccurrences(of: "_", with: "")) else {
      throw error("expected an integer, found \(kindDescription)")
    }
    return value
  }

  func double() throws(ManifestError) -> Double {
    let (text, plain) = try scalarText(expected: "a number")
    guard plain, let value = Double(text.replacingOccurrences(of: "_", with: "")), value.isFinite else {
      throw error("expected a number, found \(kindDescription)")
    }
    return value
  }

  func bool() throws(ManifestError) -> Bool {
    let (text, plain) = try scalarText(expected: "true or false")
    guard plain else { throw error("expected true or false, found \(kindDescription)") }
    switch text {
    case "true", "True", "TRUE": return true
    case "false", "False", "FALSE": return false
    default: throw error("expected true or false, found \(kindDescription)")
    }
  }

  /// A string that must be one of `allowed`, with a suggestion when it is close to one.
  func oneOf(_ allowed: [String]) throws(ManifestError) -> String {
    let value = try string()
    guard allowed.contains(value) else {
      throw error("'\(value)' is not one of \(allowed.joined(separator: ", "))"
        + KeySuggestion.hint(for: value, among: allowed))
    }
    return value
  }
}

private func isNullLiteral(_ text: String) -> Bool {
  text == "~" || text == "null" || text == "Null" || text == "NULL" || text.isEmpty
}
