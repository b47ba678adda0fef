import Foundation

/// Whole-file writes that a crash can never leave half-done: write a temporary sibling, fsync it,
/// rename it over the target (atomic within one file system), fsync the directory.
enum AtomicFile {
  /// - Parameter durable: fsync before and after the rename, so the file survives a power loss.
  ///   Records need it; the live status file only needs readers never to see half of it.
  static func write(_ data: Data, to url: URL, durable: Bool = true) throws {
    let directory = url.deletingLastPathComponent()
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp")
    // A plain write: `FileManager.createFile` and `.atomic` do their own temporary file and sync,
    // which would double the work and make `durable: false` durable anyway.
    do { try data.write(to: temporary) } catch { throw StoreError.cannotWrite("\(temporary.path) (\(error.localizedDescription))") }
    if durable { try syncFile(at: temporary.path) }
    guard rename(temporary.path, url.path) == 0 else {
      throw StoreError.cannotWrite("\(url.path) (rename: \(String(cString: strerror(errno))))")
    }
    if durable { try syncFile(at: directory.path) }
  }

  static func writeJSON<T: Encodable>(_ value: T, to url: URL, durable: Bool = true) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    try write(encoder.encode(value), to: url, durable: durable)
  }

  static func syncFile(at path: String) throws {
    let descriptor = open(path, O_RDONLY)
    guard descriptor >= 0 else { throw StoreError.cannotWrite("\(path) (open for fsync)") }
    defer { close(descriptor) }
    fsync(descriptor)
  }
}
