import Foundation

/// Builds the batches of one epoch on a background thread, keeping up to `depth` ready, so the
/// training loop only waits when loading is slower than a step. Batches come out in index order,
/// identical to `BatchSource.batch(epoch:index:)`, starting at `startBatch` for a resumed run.
public final class BatchPrefetcher: @unchecked Sendable {
  // @unchecked: the only shared state is `queue`, which guards itself.
  private let queue: PrefetchQueue

  public init(source: BatchSource, epoch: Int, startBatch: Int = 0, depth: Int = 2) {
    precondition(depth >= 1, "prefetch depth must be at least 1")
    let queue = PrefetchQueue(depth: depth)
    self.queue = queue
    let thread = Thread {
      for index in startBatch..<source.batchCount {
        guard queue.waitForRoom() else { return }
        queue.put(source.batch(epoch: epoch, index: index, parallel: false))
      }
      queue.finish()
    }
    thread.name = "mfd-prefetch"
    thread.start()
  }

  /// The next batch, waiting for it if needed; nil after the epoch's last batch.
  public func next() -> Batch? { queue.take() }

  /// Stops the background thread after the batch it is building.
  public func cancel() { queue.cancel() }

  deinit { queue.cancel() }
}

/// A bounded hand-over between the loader thread and the consumer.
private final class PrefetchQueue: @unchecked Sendable {
  // @unchecked: every field is read and written with `condition` held.
  private let condition = NSCondition()
  private var ready: [Batch] = []
  private var finished = false
  private var cancelled = false
  private let depth: Int

  init(depth: Int) { self.depth = depth }

  /// Blocks while `depth` batches are waiting; false once cancelled.
  func waitForRoom() -> Bool {
    condition.lock()
    defer { condition.unlock() }
    while ready.count >= depth && !cancelled { condition.wait() }
    return !cancelled
  }

  func put(_ batch: Batch) {
    condition.lock()
    ready.append(batch)
    condition.broadcast()
    condition.unlock()
  }

  func finish() {
    condition.lock()
    finished = true
    condition.broadcast()
    condition.unlock()
  }

  func cancel() {
    condition.lock()
    cancelled = true
    ready.removeAll()
    condition.broadcast()
    condition.unlock()
  }

  func take() -> Batch? {
    condition.lock()
    defer { condition.unlock() }
    while ready.isEmpty && !finished && !cancelled { condition.wait() }
    guard !ready.isEmpty else { return nil }
    let batch = ready.removeFirst()
    condition.broadcast()
    return batch
  }
}
