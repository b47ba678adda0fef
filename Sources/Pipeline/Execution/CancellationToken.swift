import Foundation

/// Set once (SIGINT/SIGTERM or a failed sibling without --keep-going); polled by steps at safe points.
public final class CancellationToken: @unchecked Sendable {
  // A lock, not an atomic: polled once per batch at most, so the cost does not matter.
  private let lock = NSLock()
  private var cancelled = false

  public init() {}

  public var isCancelled: Bool { lock.withLock { cancelled } }

  public func cancel() { lock.withLock { cancelled = true } }

  /// Throws `StepCancelled` when cancellation was requested: call between batches or epochs.
  public func checkpoint() throws(StepCancelled) {
    if isCancelled { throw StepCancelled() }
  }
}
