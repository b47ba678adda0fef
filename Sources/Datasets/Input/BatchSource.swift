import Kernels
import Synchronization

/// Turns a split into batches whose content is a pure function of (seed, epoch, batch index):
/// the order of epoch e is a Fisher–Yates shuffle drawn from stream ("order", e), and batch b's
/// augmentation from stream ("augment", e, b). A run resumed at (e, b) therefore sees exactly the
/// batches an uninterrupted run would, whatever happened before, and whatever the thread count.
public final class BatchSource: Sendable {
  public let images: ImageSet
  public let batchSize: Int
  public let seed: UInt64
  public let shuffle: Bool
  public let augmentation: Augmentation
  /// Drop the last incomplete batch (training) or keep it (evaluation).
  public let dropLast: Bool
  private let table: [Float]
  private let cachedOrder = Mutex<(epoch: Int, order: [Int])?>(nil)

  /// - Parameters:
  ///   - normalisation: one mean/std per channel of `images`.
  ///   - shuffle, augmentation: training sets use `true`, `.paper`; test sets `false`, `.none`.
  public init(images: ImageSet, normalisation: Normalisation, batchSize: Int, seed: UInt64,
              shuffle: Bool, augmentation: Augmentation, dropLast: Bool) {
    precondition(batchSize > 0, "batch size must be positive")
    precondition(normalisation.mean.count == images.channels, "one normalisation constant per channel")
    self.images = images
    self.batchSize = batchSize
    self.seed = seed
    self.shuffle = shuffle
    self.augmentation = augmentation
    self.dropLast = dropLast
    table = normalisation.lookupTable()
  }

  /// Batches per epoch.
  public var batchCount: Int {
    dropLast ? images.count / batchSize : (images.count + batchSize - 1) / batchSize
  }

  /// The sample order of `epoch` (identity when not shuffling).
  public func order(epoch: Int) -> [Int] {
    if let hit = cachedOrder.withLock({ $0 }), hit.epoch == epoch { return hit.order }
    var order = Array(0..<images.count)
    if shuffle {
      var generator = SeededGenerator(seed: seed, stream: [SeededGenerator.label("order"), UInt64(epoch)])
      order.shuffle(using: &generator)
    }
    cachedOrder.withLock { $0 = (epoch, order) }
    return order
  }

  /// Batch `index` of `epoch`.
  /// - Parameter parallel: spread the images over `Threading.threadCount` workers; the background
  ///   prefetcher passes false so it never competes with the training step for the cores.
  public func batch(epoch: Int, index: Int, parallel: Bool = true) -> Batch {
    precondition(index >= 0 && index < batchCount, "batch \(index) of \(batchCount)")
    let start = index * batchSize
    let members = Array(order(epoch: epoch)[start..<min(start + batchSize, images.count)])
    let augmentation = self.augmentation
    var generator = SeededGenerator(seed: seed, stream: [SeededGenerator.label("augment"), UInt64(epoch), UInt64(index)])
    let draws = members.map { _ in augmentation.draw(using: &generator) }
    let (c, h, w) = (images.channels, images.height, images.width)
    let size = c * h * w
    var output = [Float](repeating: 0, count: members.count * size)
    images.pixels.withUnsafeBufferPointer { pixels in
      table.withUnsafeBufferPointer { table in
        output.withUnsafeMutableBufferPointer { out in
          let box = UncheckedSendable((pixels, table, out))
          let body = { (range: Range<Int>) in
            let (pixels, table, out) = box.value
            for i in range {
              let source = UnsafeBufferPointer(rebasing: pixels[members[i] * size..<(members[i] + 1) * size])
              augmentation.render(source, channels: c, height: h, width: w, draw: draws[i], table: table,
                                  into: out.baseAddress! + i * size)
            }
          }
          if parallel { parallelChunks(members.count, minimumChunk: 16, body) } else { body(0..<members.count) }
        }
      }
    }
    return Batch(epoch: epoch, index: index, count: members.count, channels: c, height: h, width: w,
                 images: output, labels: members.map { images.labels[$0] }, sampleIndices: members)
  }
}
