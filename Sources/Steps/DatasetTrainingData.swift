import Datasets
import Engine
import Training

/// A dataset's training split as the epoch loop sees it (Training's `TrainingData`), from the
/// Datasets module's `BatchSource`, whose batches are already a pure function of
/// (seed, epoch, index). Epochs are streamed by a background prefetcher.
public final class DatasetTrainingData: TrainingData, @unchecked Sendable {
  public let source: BatchSource

  /// - source: shuffled, augmented, and dropping the incomplete last batch (every epoch then has
  ///   the same number of equal batches, which resumption by batch index needs).
  public init(source: BatchSource) {
    precondition(source.dropLast, "training batches must drop the incomplete last batch")
    self.source = source
  }

  public var batchesPerEpoch: Int { source.batchCount }
  public var batchSize: Int { source.batchSize }

  public func batch(epoch: Int, index: Int) throws -> LabelledBatch {
    LabelledBatch(source.batch(epoch: epoch, index: index))
  }

  public func batches(epoch: Int, from startIndex: Int) -> any BatchStream {
    PrefetchedBatches(BatchPrefetcher(source: source, epoch: epoch, startBatch: startIndex))
  }
}

/// A dataset's test split in a fixed order without augmentation (Training's `EvaluationData`).
public final class DatasetEvaluationData: EvaluationData, @unchecked Sendable {
  public let source: BatchSource

  public init(source: BatchSource) { self.source = source }

  public var batchCount: Int { source.batchCount }
  public var sampleCount: Int { source.images.count }

  public func batch(index: Int) throws -> LabelledBatch {
    LabelledBatch(source.batch(epoch: 0, index: index))
  }
}

/// An epoch's batches from a background prefetcher; dropping the stream stops the prefetcher.
final class PrefetchedBatches: BatchStream {
  private let prefetcher: BatchPrefetcher

  init(_ prefetcher: BatchPrefetcher) { self.prefetcher = prefetcher }

  deinit { prefetcher.cancel() }

  func next() throws -> LabelledBatch? { prefetcher.next().map(LabelledBatch.init) }
}

extension LabelledBatch {
  /// The Datasets batch as a tensor [count, channels, height, width] and its labels.
  init(_ batch: Batch) {
    self.init(images: Tensor(shape: [batch.count, batch.channels, batch.height, batch.width], values: batch.images),
              labels: batch.labels)
  }
}
