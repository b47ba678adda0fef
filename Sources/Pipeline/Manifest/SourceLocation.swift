/// Where a manifest value came from: a YAML file position, or a command-line override.
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
  /// The file path as the user gave it (or `--set` for command-line overrides).
  public var file: String
  /// 1-based line; 0 when the source has no lines (command-line overrides).
  public var line: Int
  /// 1-based column; 0 when unknown.
  public var column: Int

  public init(file: String, line: Int, column: Int) {
    self.file = file
    self.line = line
    self.column = column
  }

  /// `file:line:column`, the form editors and terminals turn into links.
  public var description: String {
    line > 0 ? "\(file):\(line):\(column)" : file
  }
}
