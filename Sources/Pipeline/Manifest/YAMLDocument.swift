import Foundation
import Yams

/// Reads a YAML file into its root node, turning parser errors into `ManifestError`s with a position.
enum YAMLDocument {
  static func root(ofFile path: String) throws(ManifestError) -> YAMLNode {
    let start = SourceLocation(file: path, line: 0, column: 0)
    guard let data = FileManager.default.contents(atPath: path) else {
      throw ManifestError(start, keyPath: "", "cannot read the file (does it exist?)")
    }
    guard let text = String(data: data, encoding: .utf8) else {
      throw ManifestError(start, keyPath: "", "the file is not UTF-8 text")
    }
    return try root(ofText: text, file: path)
  }

  static func root(ofText text: String, file: String) throws(ManifestError) -> YAMLNode {
    let node: Node?
    do {
      node = try Yams.compose(yaml: text)
    } catch let error as YamlError {
      throw convert(error, file: file)
    } catch {
      throw ManifestError(SourceLocation(file: file, line: 0, column: 0), keyPath: "", "cannot parse YAML: \(error)")
    }
    guard let node else {
      throw ManifestError(SourceLocation(file: file, line: 1, column: 1), keyPath: "", "the file is empty")
    }
    return YAMLNode(node: node, file: file, path: "")
  }

  private static func convert(_ error: YamlError, file: String) -> ManifestError {
    func at(_ mark: Mark) -> SourceLocation { SourceLocation(file: file, line: mark.line, column: mark.column) }
    switch error {
    case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _),
         let .composer(context, problem, mark, _):
      let where_ = context.map { " (\($0.text) at line \($0.mark.line))" } ?? ""
      return ManifestError(at(mark), keyPath: "", "invalid YAML: \(problem)\(where_)")
    case let .duplicatedKeysInMapping(duplicates, context):
      return ManifestError(at(context.mark), keyPath: duplicates.joined(separator: ", "),
                           "duplicate key in one mapping: \(duplicates.map { "'\($0)'" }.joined(separator: ", ")); keep one")
    default:
      return ManifestError(SourceLocation(file: file, line: 0, column: 0), keyPath: "", "invalid YAML: \(error)")
    }
  }
}
