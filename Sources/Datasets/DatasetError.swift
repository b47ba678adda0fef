/// Everything that can go wrong between a dataset's source and a batch. Each case names the file
/// (and, where it applies, the member, record or field) and what was expected against what was
/// found, so that the message alone tells a user what to fix.
public enum DatasetError: Error, Equatable, CustomStringConvertible {
  case unknownDataset(name: String, known: [String])
  /// Every source of a file failed; `attempts` holds one line per source with its reason.
  case fetchFailed(file: String, attempts: [String])
  /// A source answered, but not with the file (HTTP status, unreadable local file, cut transfer).
  case transfer(source: String, reason: String)
  case sizeMismatch(file: String, expected: Int64, actual: Int64)
  case checksumMismatch(file: String, algorithm: String, expected: String, actual: String)
  case io(path: String, reason: String)
  /// A gzip stream that is corrupt or ends early (`reason` says which).
  case gzip(file: String, reason: String)
  /// An archive member whose path or link target would land outside the extraction folder.
  case unsafeMember(archive: String, member: String, reason: String)
  /// An archive that is truncated or structurally wrong; `member` is nil when no member is at fault.
  case corruptArchive(archive: String, member: String?, reason: String)
  /// A field of a data file that is not what its format requires.
  case malformed(file: String, field: String, expected: String, actual: String)
  case jpeg(file: String, reason: String)
  case missingFile(path: String, hint: String)
  /// FaceScrub is not downloadable; `instructions` says exactly what to provide.
  case notProvided(dataset: String, root: String, instructions: String)

  public var description: String {
    switch self {
    case let .unknownDataset(name, known):
      return "unknown dataset '\(name)'; known: \(known.joined(separator: ", "))"
    case let .fetchFailed(file, attempts):
      return "could not fetch \(file):\n" + attempts.map { "  - \($0)" }.joined(separator: "\n")
    case let .transfer(source, reason):
      return "\(source): \(reason)"
    case let .sizeMismatch(file, expected, actual):
      return "\(file): size \(actual) bytes, expected \(expected); the file was not kept"
    case let .checksumMismatch(file, algorithm, expected, actual):
      return "\(file): \(algorithm) \(actual), expected \(expected); the file was not kept"
    case let .io(path, reason):
      return "\(path): \(reason)"
    case let .gzip(file, reason):
      return "\(file): gzip: \(reason)"
    case let .unsafeMember(archive, member, reason):
      return "\(archive): member '\(member)' rejected: \(reason); nothing was extracted"
    case let .corruptArchive(archive, member, reason):
      let at = member.map { " (member '\($0)')" } ?? ""
      return "\(archive)\(at): \(reason); nothing was extracted"
    case let .malformed(file, field, expected, actual):
      return "\(file): \(field) is \(actual), expected \(expected)"
    case let .jpeg(file, reason):
      return "\(file): JPEG decode failed: \(reason)"
    case let .missingFile(path, hint):
      return "\(path) is missing; \(hint)"
    case let .notProvided(dataset, root, instructions):
      return "\(dataset) is not in \(root) and cannot be downloaded.\n\(instructions)"
    }
  }
}
