import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes `pieces` one after another to `url` so that the final name only ever refers to a
/// complete file: write a uniquely named temporary file in the same directory (rename is atomic
/// only within one file system), fsync it (else a crash after the rename can leave the new name
/// pointing at unwritten blocks), rename it over `url`, then fsync the directory so the rename
/// itself is durable. On any failure the temporary file is removed and `url` is left untouched.
///
/// Foundation's `Data.write(options: .atomic)` renames but never fsyncs, hence POSIX calls here.
/// - Throws: `SafetensorsError.writeFailed` naming `url` and the failing step.
public func writeAtomically(_ pieces: [Data], to url: URL) throws(SafetensorsError) {
  let path = url.path
  let directory = url.deletingLastPathComponent().path
  // The random part only keeps concurrent writers of the same name apart; it never reaches the
  // file's contents. The leading dot hides leftovers of a killed process from casual listings.
  let temporary = url.deletingLastPathComponent()
    .appendingPathComponent(".\(url.lastPathComponent).\(getpid())-\(UInt32.random(in: .min ... .max)).tmp")
    .path

  func failure(_ step: String) -> SafetensorsError {
    .writeFailed(path: path, reason: "\(step): \(String(cString: strerror(errno)))")
  }

  let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
  guard descriptor >= 0 else { throw failure("cannot create temporary file \(temporary)") }
  do throws(SafetensorsError) {
    for piece in pieces {
      guard writeAll(piece, to: descriptor) else { throw failure("write to \(temporary)") }
    }
    guard fsync(descriptor) == 0 else { throw failure("fsync \(temporary)") }
  } catch {
    close(descriptor)
    unlink(temporary)
    throw error
  }
  guard close(descriptor) == 0 else {
    let error = failure("close \(temporary)")
    unlink(temporary)
    throw error
  }
  guard rename(temporary, path) == 0 else {
    let error = failure("rename \(temporary) to \(path)")
    unlink(temporary)
    throw error
  }
  // Best effort: some file systems refuse fsync on directories, and the data is already safe.
  let directoryDescriptor = open(directory.isEmpty ? "." : directory, O_RDONLY | O_CLOEXEC)
  if directoryDescriptor >= 0 {
    _ = fsync(directoryDescriptor)
    close(directoryDescriptor)
  }
}

/// Writes every byte of `data`, retrying short writes and interrupted calls.
private func writeAll(_ data: Data, to descriptor: Int32) -> Bool {
  data.withUnsafeBytes { raw in
    var offset = 0
    while offset < raw.count {
      // Chunks of at most 1 GiB: Linux writes at most ~2 GiB per call anyway.
      let length = min(raw.count - offset, 1 << 30)
      let written = write(descriptor, raw.baseAddress! + offset, length)
      if written < 0 {
        if errno == EINTR { continue }
        return false
      }
      offset += written
    }
    return true
  }
}
