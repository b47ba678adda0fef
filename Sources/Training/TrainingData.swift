/// The training split as the epoch loop sees it: a fixed number of batches per epoch, each a pure
/// function of (seed, epoch, index).
///
/// **Contract** — what makes a resumed run bit-identical to an uninterrupted one:
/// `batch(epoch:index:)` returns the same images and labels, bit for bit, every time it is asked
/// for the same (epoch, index), whatever was asked before (in this process or another) and
/// whatever the thread count. Shuffling and augmentation are therefore drawn from generators
/// seeded by (seed, epoch[, index]), never from one generator that advances with every call.
/// The Datasets module's `BatchSource` is built this way (order from stream ("order", epoch),
/// augmentation from ("augment", epoch, batch)); its adapter only converts each `Batch` into a
/// `LabelledBatch` (and may override `batches(epoch:from:)` with its prefetcher).
///
/// Every epoch has exactly `batchesPerEpoch` batches (the last incomplete one is dropped), so a
/// batch index means the same amount of work in every epoch.
public protocol TrainingData {
  /// Batches in every epoch (≥ 1).
  var batchesPerEpoch: Int { get }
  /// Images per batch, echoed in reports (the batches themselves are authoritative).
  var batchSize: Int { get }
  /// Batch `index` (0..<batchesPerEpoch) of `epoch` (0-based).
  func batch(epoch: Int, index: Int) throws -> LabelledBatch
  /// The batches of `epoch` from `startIndex` on, in index order, each identical to
  /// `batch(epoch:index:)`. The default asks `batch(epoch:index:)` one at a time; a source that
  /// loads in the background overrides it. Releasing the stream early must stop that work.
  func batches(epoch: Int, from startIndex: Int) -> any BatchStream
}

/// Batches handed out one at a time, in order; nil after the last.
public protocol BatchStream {
  mutating func next() throws -> LabelledBatch?
}

extension TrainingData {
  public func batches(epoch: Int, from startIndex: Int) -> any BatchStream {
    OrderedBatches(data: self, epoch: epoch, index: startIndex)
  }
}

/// The default stream: `batch(epoch:index:)` for each index in turn, on the caller's thread.
struct OrderedBatches<Data: TrainingData>: BatchStream {
  let data: Data
  let epoch: Int
  var index: Int

  mutating func next() throws -> LabelledBatch? {
    guard index < data.batchesPerEpoch else { return nil }
    defer { index += 1 }
    return try data.batch(epoch: epoch, index: index)
  }
}
