import AtomicFiles
import Foundation

/// Writes `pieces` to `url` with `AtomicFile.write`, reporting failures as `DatasetError.io`.
func writeAtomically(_ pieces: [Data], to url: URL) throws(DatasetError) {
  do { try AtomicFile.write(pieces, to: url) } catch { throw .io(path: error.path, reason: error.reason) }
}
