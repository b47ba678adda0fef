import AtomicFiles
import Foundation

/// The store's whole-file writes: `AtomicFiles.AtomicFile.write` (temporary sibling, fsync,
/// rename, fsync of the directory) into a directory created on demand, failures as `StoreError`.
enum StoreFile {
  /// - Parameter durable: fsync before and after the rename, so the file survives a power loss.
  ///   Records need it; the live status file only needs readers never to see half of it.
  static func write(_ data: Data, to url: URL, durable: Bool = true) throws {
    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    do { try AtomicFile.write([data], to: url, durable: durable) } catch {
      throw StoreError.cannotWrite("\(error.path) (\(error.reason))")
    }
  }

  static func writeJSON<T: Encodable>(_ value: T, to url: URL, durable: Bool = true) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    try write(encoder.encode(value), to: url, durable: durable)
  }
}
