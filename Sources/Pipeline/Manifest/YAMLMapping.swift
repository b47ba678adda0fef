import Yams

/// The keys of one YAML mapping, read once each; anything not read is reported as unknown.
struct YAMLMapping {
  let parent: YAMLNode
  /// Keys in document order with their value nodes.
  private(set) var entries: [(key: String, keyLocation: SourceLocation, value: YAMLNode)] = []

  init(_ mapping: Node.Mapping, parent: YAMLNode) throws(ManifestError) {
    self.parent = parent
    var seen: [String: SourceLocation] = [:]
    for (keyNode, valueNode) in mapping {
      let keyLocation = YAMLNode(node: keyNode, file: parent.file, path: parent.path).location
      guard case .scalar(let scalar) = keyNode else {
        throw ManifestError(keyLocation, keyPath: parent.path, "mapping keys must be plain words")
      }
      let key = scalar.string
      if let first = seen[key] {
        throw ManifestError(keyLocation, keyPath: parent.childPath(key),
                            "duplicate key (first given at line \(first.line)); keep one")
      }
      seen[key] = keyLocation
      entries.append((key, keyLocation, YAMLNode(node: valueNode, file: parent.file, path: parent.childPath(key), keyLocation: keyLocation)))
    }
  }

  var keys: [String] { entries.map(\.key) }

  func optional(_ key: String) -> YAMLNode? {
    entries.first { $0.key == key }?.value
  }

  /// The value of `key`, or an error naming the key and where the mapping starts.
  func require(_ key: String) throws(ManifestError) -> YAMLNode {
    guard let value = optional(key) else {
      throw ManifestError(parent.location, keyPath: parent.childPath(key), "missing required key '\(key)'")
    }
    return value
  }

  /// Fails on the first key not in `allowed`, suggesting the closest allowed key.
  func rejectUnknownKeys(allowed: [String]) throws(ManifestError) {
    for entry in entries where !allowed.contains(entry.key) {
      throw ManifestError(entry.keyLocation, keyPath: parent.childPath(entry.key),
                          "unknown key '\(entry.key)'" + KeySuggestion.hint(for: entry.key, among: allowed)
                            + "; allowed here: \(allowed.joined(separator: ", "))")
    }
  }
}
