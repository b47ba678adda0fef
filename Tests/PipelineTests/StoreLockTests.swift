import Dispatch
import Foundation
import Testing
@testable import Pipeline

@Suite struct StoreLockTests {
  @Test func secondRunnerRefusesNamingTheHolderPID() throws {
    let directory = TemporaryDirectory()
    let layout = StoreLayout(root: directory.url)
    let first = try StoreLock.acquire(layout, wait: false)
    #expect(StoreLock.isHeld(layout))
    #expect {
      _ = try StoreLock.acquire(layout, wait: false)
    } throws: { error in
      (error as? StoreLock.HeldError)?.description.contains("pid \(getpid())") == true
    }
    first.release()
    #expect(!StoreLock.isHeld(layout))
    _ = try StoreLock.acquire(layout, wait: false)
  }

  @Test func waitingRunnerGetsTheLockWhenTheHolderReleasesIt() throws {
    let directory = TemporaryDirectory()
    let layout = StoreLayout(root: directory.url)
    let first = try StoreLock.acquire(layout, wait: false)
    let waiting = DispatchSemaphore(value: 0), acquired = DispatchSemaphore(value: 0)
    let holderSeen = LockedBox<String>()
    Thread {
      let second = try? StoreLock.acquire(layout, wait: true) { holder in
        holderSeen.value = holder
        waiting.signal()
      }
      if second != nil { acquired.signal() }
    }.start()
    #expect(waiting.wait(timeout: .now() + 10) == .success)
    #expect(holderSeen.value?.contains("pid \(getpid())") == true)
    first.release()
    #expect(acquired.wait(timeout: .now() + 10) == .success)
  }

  /// Another process (util-linux `flock`, the same flock(2) lock) holds the store; when it is
  /// killed with SIGKILL the kernel drops the lock, with nothing to clean up.
  @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/flock")))
  func lockOfAKilledProcessIsGoneWithoutCleanup() throws {
    let directory = TemporaryDirectory()
    let layout = StoreLayout(root: directory.url)
    try FileManager.default.createDirectory(at: layout.root, withIntermediateDirectories: true)
    let holder = Process()
    holder.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
    // --no-fork: the locking process is the one we kill (no child inheriting the descriptor).
    holder.arguments = ["--no-fork", layout.lockFile.path, "/bin/sh", "-c", "echo 'pid '$$' (test holder)' > '\(layout.lockFile.path)'; exec sleep 60"]
    try holder.run()
    defer { if holder.isRunning { kill(holder.processIdentifier, SIGKILL) } }
    #expect(waitUntil { StoreLock.isHeld(layout) && StoreLock.holderDescription(layout).contains("test holder") })
    #expect {
      _ = try StoreLock.acquire(layout, wait: false)
    } throws: { error in
      (error as? StoreLock.HeldError)?.description.contains("pid \(holder.processIdentifier) (test holder)") == true
    }
    kill(holder.processIdentifier, SIGKILL)
    holder.waitUntilExit()
    #expect(!StoreLock.isHeld(layout))
    let lock = try StoreLock.acquire(layout, wait: false)
    #expect(StoreLock.holderDescription(layout).contains("pid \(getpid())"))
    lock.release()
  }
}

/// Polls `condition` for up to 10 s (waiting on another process; returns as soon as it holds).
func waitUntil(_ condition: () -> Bool) -> Bool {
  let deadline = Date().addingTimeInterval(10)
  while Date() < deadline {
    if condition() { return true }
    usleep(2_000)
  }
  return condition()
}

final class LockedBox<Value>: @unchecked Sendable {
  private let lock = NSLock()
  private var stored: Value?
  var value: Value? {
    get { lock.withLock { stored } }
    set { lock.withLock { stored = newValue } }
  }
}
