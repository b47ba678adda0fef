import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The one-runner-per-store lock: `flock(2)` on `<store>/lock`. The kernel drops it when the holder
/// exits, however it dies, so there is never a stale lock to clean by hand. The file's content
/// (pid, start time, command line) is only for telling the user who holds it.
public final class StoreLock: @unchecked Sendable {
  /// Another process holds the lock.
  public struct HeldError: Error, Sendable, CustomStringConvertible {
    public let holder: String
    public let path: String
    public var description: String {
      "another runner holds the store lock \(path) (\(holder)); wait for it with --wait, "
        + "or use a different --store. Nothing needs cleaning: the lock disappears when that process exits."
    }
  }

  public let path: String
  private var descriptor: Int32

  private init(path: String, descriptor: Int32) {
    self.path = path
    self.descriptor = descriptor
  }

  deinit { release() }

  /// Takes the lock, or throws `HeldError` naming the holder; with `wait`, blocks until it is free.
  public static func acquire(_ layout: StoreLayout, wait: Bool, onWait: (String) -> Void = { _ in }) throws -> StoreLock {
    try FileManager.default.createDirectory(at: layout.root, withIntermediateDirectories: true)
    let path = layout.lockFile.path
    let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
    guard descriptor >= 0 else { throw StoreError.cannotWrite(path) }
    if flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
      guard errno == EWOULDBLOCK else {
        close(descriptor)
        throw StoreError.cannotWrite("\(path) (flock: \(String(cString: strerror(errno))))")
      }
      let holder = holderDescription(layout)
      guard wait else {
        close(descriptor)
        throw HeldError(holder: holder, path: path)
      }
      onWait(holder)
      while flock(descriptor, LOCK_EX) != 0 {
        guard errno == EINTR else {
          close(descriptor)
          throw StoreError.cannotWrite("\(path) (flock: \(String(cString: strerror(errno))))")
        }
      }
    }
    let lock = StoreLock(path: path, descriptor: descriptor)
    lock.writeHolder()
    return lock
  }

  /// True when some process holds the lock now (used by `status`); does not keep it.
  public static func isHeld(_ layout: StoreLayout) -> Bool {
    let descriptor = open(layout.lockFile.path, O_RDWR | O_CLOEXEC)
    guard descriptor >= 0 else { return false }
    defer { close(descriptor) }
    if flock(descriptor, LOCK_EX | LOCK_NB) == 0 {
      flock(descriptor, LOCK_UN)
      return false
    }
    return errno == EWOULDBLOCK
  }

  /// "pid 1234 since 2026-11-29T18:00:00Z: mfd run table5" from the lock file.
  public static func holderDescription(_ layout: StoreLayout) -> String {
    guard let data = FileManager.default.contents(atPath: layout.lockFile.path),
          let text = String(data: data, encoding: .utf8)?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty else {
      return "holder unknown"
    }
    return text
  }

  private func writeHolder() {
    let arguments = CommandLine.arguments.joined(separator: " ")
    let text = "pid \(getpid()) since \(ISO8601DateFormatter().string(from: Date())): \(arguments)\n"
    ftruncate(descriptor, 0)
    _ = text.withCString { pwrite(descriptor, $0, strlen($0), 0) }
  }

  /// Releases the lock (also done on deinit and, by the kernel, at exit).
  public func release() {
    guard descriptor >= 0 else { return }
    flock(descriptor, LOCK_UN)
    close(descriptor)
    descriptor = -1
  }
}
