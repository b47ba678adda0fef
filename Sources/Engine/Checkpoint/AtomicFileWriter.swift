import AtomicFiles
import Foundation

/// Writes `pieces` to `url` with `AtomicFile.write` (temporary file, fsync, rename, fsync of the
/// directory): the final name only ever refers to a complete file.
/// - Throws: `SafetensorsError.writeFailed` naming `url` and the failing step.
public func writeAtomically(_ pieces: [Data], to url: URL) throws(SafetensorsError) {
  do { try AtomicFile.write(pieces, to: url) } catch { throw .writeFailed(path: error.path, reason: error.reason) }
}
