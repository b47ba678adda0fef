/// Failures of the store's own bookkeeping. These always fail the run loudly: a result whose record
/// could not be written must never look finished.
public enum StoreError: Error, Sendable, CustomStringConvertible {
  case cannotWrite(String)
  case cannotRead(String)
  case unreadableRecord(path: String, reason: String)
  case outputNotRegularFile(String)

  public var description: String {
    switch self {
    case .cannotWrite(let path): return "cannot write \(path): check free space and permissions"
    case .cannotRead(let path): return "cannot read \(path)"
    case .unreadableRecord(let path, let reason): return "record \(path) is unreadable (\(reason)); the step will run again"
    case .outputNotRegularFile(let path): return "output \(path) is neither a file nor a directory (links are not stored)"
    }
  }
}
