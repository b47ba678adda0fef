import Foundation

/// A command-line `--set key=value`, typed against `TrainingSettingsSchema`.
public enum SettingOverride {
  static let location = SourceLocation(file: "--set", line: 0, column: 0)

  /// Parses `schedule.epochs=3`, `seeds=0,1`, `data.train_subset=null`, … into a settings layer.
  public static func layer(from assignments: [String]) throws(ManifestError) -> SettingsLayer {
    var layer = SettingsLayer()
    for assignment in assignments {
      let (path, value) = try parse(assignment)
      layer.set(path, value, at: SourceLocation(file: "--set \(assignment)", line: 0, column: 0))
    }
    return layer
  }

  static func parse(_ assignment: String) throws(ManifestError) -> (String, ConfigValue) {
    guard let equals = assignment.firstIndex(of: "=") else {
      throw ManifestError(location, keyPath: assignment, "expected key=value, e.g. schedule.epochs=3")
    }
    let path = String(assignment[..<equals]).trimmingCharacters(in: .whitespaces)
    let text = String(assignment[assignment.index(after: equals)...]).trimmingCharacters(in: .whitespaces)
    guard let field = TrainingSettingsSchema.fieldsByPath[path] else {
      let all = TrainingSettingsSchema.fields.map(\.path)
      throw ManifestError(location, keyPath: path, "unknown setting '\(path)'" + KeySuggestion.hint(for: path, among: all)
                            + "; settings: \(all.joined(separator: ", "))")
    }
    let wrong = ManifestError(location, keyPath: path, "expected \(field.expectation), found '\(text)'")
    let value: ConfigValue
    switch field.kind {
    case .int:
      guard let v = Int(text) else { throw wrong }
      value = .int(v)
    case .intOrNull:
      if text == "null" || text == "all" { value = .null }
      else if let v = Int(text) { value = .int(v) }
      else { throw wrong }
    case .double:
      guard let v = Double(text), v.isFinite else { throw wrong }
      value = .double(v)
    case .bool:
      guard let v = Bool(text) else { throw wrong }
      value = .bool(v)
    case .choice(let allowed):
      guard allowed.contains(text) else { throw wrong }
      value = .string(text)
    case .intList:
      let inner = text.hasPrefix("[") && text.hasSuffix("]") ? String(text.dropFirst().dropLast()) : text
      let parts = inner.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
      var values: [ConfigValue] = []
      for part in parts {
        guard let v = Int(part) else { throw wrong }
        values.append(.int(v))
      }
      value = .array(values)
    }
    if let problem = field.rangeProblem(value) {
      throw ManifestError(location, keyPath: path, "\(problem) (\(field.help))")
    }
    return (path, value)
  }
}
