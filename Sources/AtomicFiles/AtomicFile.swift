import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whole-file writes that a crash can never leave half-done, shared by checkpoints (Engine),
/// dataset caches (Datasets) and store records (Pipeline), each of which maps `AtomicFileError`
/// to its own typed error.
public enum AtomicFile {
  /// Writes `pieces` one after another to `url` so that the final name only ever refers to a
  /// complete file: write a uniquely named temporary file in the same directory (rename is atomic
  /// only within one file system), fsync it (else a crash after the rename can leave the new name
  /// pointing at unwritten blocks), rename it over `url`, then fsync the directory so the rename
  /// itself is durable. On any failure the temporary file is removed and `url` is left untouched.
  ///
  /// Foundation's `Data.write(options: .atomic)` renames but never fsyncs, hence POSIX calls here.
  /// - durable: false skips both fsyncs, for files whose readers only need never to see half of
  ///   them (a live status file), not survival of a power loss.
  public static func write(_ pieces: [Data], to url: URL, durable: Bool = true) throws(AtomicFileError) {
    let path = url.path
    let directory = url.deletingLastPathComponent().path
    // The random part only keeps concurrent writers of the same name apart; it never reaches the
    // file's contents. The leading dot hides leftovers of a killed process from casual listings.
    let temporary = url.deletingLastPathComponent()
      .appendingPathComponent(".\(url.lastPathComponent).\(getpid())-\(UInt32.random(in: .min ... .max)).tmp")
      .path

    func failure(_ step: String) -> AtomicFileError {
      AtomicFileError(path: path, reason: "\(step): \(String(cString: strerror(errno)))")
    }

    let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
    guard descriptor >= 0 else { throw failure("cannot create temporary file \(temporary)") }
    do throws(AtomicFileError) {
      for piece in pieces {
        guard writeAll(piece, to: descriptor) else { throw failure("write to \(temporary)") }
      }
      if durable { guard fsync(descriptor) == 0 else { throw failure("fsync \(temporary)") } }
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
    guard durable else { return }
    // Best effort: some file systems refuse fsync on directories, and the data is already safe.
    let directoryDescriptor = open(directory.isEmpty ? "." : directory, O_RDONLY | O_CLOEXEC)
    if directoryDescriptor >= 0 {
      _ = fsync(directoryDescriptor)
      close(directoryDescriptor)
    }
  }

  /// Writes every byte of `data`, retrying short writes and interrupted calls.
  private static func writeAll(_ data: Data, to descriptor: Int32) -> Bool {
    data.withUnsafeBytes { raw in
      var offset = 0
      while offset < raw.count {
        // Chunks of at most 1 GiB: Linux writes at most ~2 GiB per call anyway.
        let length = min(raw.count - offset, 1 << 30)
        let written = systemWrite(descriptor, raw.baseAddress! + offset, length)
        if written < 0 {
          if errno == EINTR { continue }
          return false
        }
        offset += written
      }
      return true
    }
  }
}

/// POSIX `write(2)`, named apart from `AtomicFile.write`.
#if canImport(Glibc)
private let systemWrite = Glibc.write
#elseif canImport(Darwin)
private let systemWrite = Darwin.write
#endif

/// An atomic write that failed: the target file and the step that failed, with the system's reason.
public struct AtomicFileError: Error, Sendable, Equatable, CustomStringConvertible {
  public let path: String
  public let reason: String
  public var description: String { "cannot write \(path): \(reason)" }
}
