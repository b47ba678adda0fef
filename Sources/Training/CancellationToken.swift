import Synchronization

/// A flag a signal handler or another thread raises to stop a training run at the next batch
/// boundary. The run then writes no checkpoint for the unfinished epoch, so stopping loses at
/// most that epoch and never leaves a checkpoint of a half-trained one.
public final class CancellationToken: Sendable {
  private let flag = Atomic<Bool>(false)

  public init() {}

  /// Asks the run to stop; safe from any thread, idempotent.
  public func cancel() { flag.store(true, ordering: .sequentiallyConsistent) }

  public var isCancelled: Bool { flag.load(ordering: .sequentiallyConsistent) }
}
