/// A manifest, profile file or `--set` override that cannot be used, located precisely enough to fix.
///
/// The message always starts with `file:line:column`, then the dotted key path
/// (`grid.loss[1].lambda`), then what is wrong and, when possible, what would be right.
public struct ManifestError: Error, Sendable, Equatable, CustomStringConvertible {
  public var location: SourceLocation
  /// Dotted path of the offending key, `[i]` for list elements; empty for the document itself.
  public var keyPath: String
  public var message: String

  public init(_ location: SourceLocation, keyPath: String, _ message: String) {
    self.location = location
    self.keyPath = keyPath
    self.message = message
  }

  public var description: String {
    keyPath.isEmpty ? "\(location): \(message)" : "\(location): \(keyPath): \(message)"
  }
}
