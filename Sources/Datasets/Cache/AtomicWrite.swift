import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes `pieces` to `url` so that the name only ever refers to a complete file: a temporary
/// file in the same folder, fsync, rename, fsync of the folder. The same scheme as Engine's
/// checkpoint writer, kept local because Datasets must not depend on Engine.
func writeAtomically(_ pieces: [Data], to url: URL) throws(DatasetError) {
  let path = url.path
  let temporary = url.deletingLastPathComponent()
    .appendingPathComponent(".\(url.lastPathComponent).\(getpid())-\(UInt32.random(in: .min ... .max)).tmp").path
  func failure(_ step: String) -> DatasetError {
    .io(path: path, reason: "\(step): \(String(cString: strerror(errno)))")
  }
  let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
  guard descriptor >= 0 else { throw failure("cannot create temporary file \(temporary)") }
  var ok = true
  for piece in pieces where ok {
    ok = piece.withUnsafeBytes { raw in
      var offset = 0
      while offset < raw.count {
        let written = write(descriptor, raw.baseAddress! + offset, min(raw.count - offset, 1 << 30))
        if written < 0 {
          if errno == EINTR { continue }
          return false
        }
        offset += written
      }
      return true
    }
  }
  if !ok || fsync(descriptor) != 0 {
    let error = failure("write to \(temporary)")
    close(descriptor)
    unlink(temporary)
    throw error
  }
  close(descriptor)
  guard rename(temporary, path) == 0 else {
    let error = failure("rename \(temporary)")
    unlink(temporary)
    throw error
  }
  let folder = open(url.deletingLastPathComponent().path, O_RDONLY | O_CLOEXEC)
  if folder >= 0 {
    _ = fsync(folder)  // best effort: the rename is durable on file systems that allow it
    close(folder)
  }
}
