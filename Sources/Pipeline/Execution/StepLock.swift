import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One writer per step key: `flock(2)` on `<store>/locks/<key>`, held from scratch preparation to
/// the commit. The store lock (`StoreLock`) belongs to the runner; Slurm jobs commit while the
/// runner holds it, so they cannot take it. This finer lock keeps two writers of the same key (a
/// job and a local run, or a job resubmitted by mistake) from sharing scratch space: the second
/// waits, then finds the first one's record and reuses it. The kernel drops it when its holder dies.
/// On NFS, flock works through the NFSv4 lock manager (Linux ≥ 2.6.12 emulates it with fcntl locks).
public final class StepLock: @unchecked Sendable {
  private var descriptor: Int32

  private init(descriptor: Int32) { self.descriptor = descriptor }

  deinit { release() }

  /// Blocks until the lock for `key` is free, then holds it.
  public static func acquire(_ layout: StoreLayout, key: StepKey) throws -> StepLock {
    let url = layout.stepLockFile(key)
    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    let descriptor = open(url.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
    guard descriptor >= 0 else { throw StoreError.cannotWrite(url.path) }
    while flock(descriptor, LOCK_EX) != 0 {
      guard errno == EINTR else {
        close(descriptor)
        throw StoreError.cannotWrite("\(url.path) (flock: \(String(cString: strerror(errno))))")
      }
    }
    return StepLock(descriptor: descriptor)
  }

  public func release() {
    guard descriptor >= 0 else { return }
    flock(descriptor, LOCK_UN)
    close(descriptor)
    descriptor = -1
  }
}
