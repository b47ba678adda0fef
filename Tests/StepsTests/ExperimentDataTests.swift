import Datasets
import Foundation
import Steps
import Testing
import Training

/// The Datasets → Training seam on caches written in the real format: subsets, shapes,
/// determinism and the prefetched stream.
@Suite struct ExperimentDataTests {
  /// A Fashion-MNIST-shaped split: `count` images 1×28×28 over 10 classes (label = index mod 10).
  func writeSplit(_ split: String, count: Int, root: URL) throws {
    var pixels = [UInt8](repeating: 0, count: count * 28 * 28)
    for i in pixels.indices { pixels[i] = UInt8(truncatingIfNeeded: i &* 2_654_435_761 >> 7) }
    let images = ImageSet(count: count, channels: 1, height: 28, width: 28, pixels: pixels,
                          labels: (0..<count).map { Int32($0 % 10) }, classNames: (0..<10).map { "c\($0)" })
    try SplitCache.write(images, dataset: "fashion_mnist", split: split, provenance: [:],
                         to: DatasetLayout(root: root, name: "fashion_mnist").cacheFile(split: split))
  }

  func temporaryRoot() throws -> URL {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("mfd-steps-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    return root
  }

  @Test func subsetsAreClassBalancedAndBatchesFitTheNetworkInput() throws {
    let root = try temporaryRoot()
    defer { try? FileManager.default.removeItem(at: root) }
    try writeSplit("train", count: 200, root: root)
    try writeSplit("test", count: 50, root: root)
    let data = try ExperimentData.load(
      .init(dataset: "fashion_mnist", batchSize: 16, seed: 3, trainSubset: 100, testSubset: 30), root: root)
    #expect(data.classes == 10 && data.channels == 1 && data.side == 28)
    #expect(data.training.batchesPerEpoch == 6)  // 100 images, the incomplete 7th batch dropped
    #expect(data.evaluation.sampleCount == 30 && data.evaluation.batchCount == 2)
    let labels = data.training.source.images.labels
    for c in 0..<10 { #expect(labels.filter { $0 == Int32(c) }.count == 10) }
    let batch = try data.training.batch(epoch: 0, index: 0)
    #expect(batch.images.shape == [16, 1, 28, 28] && batch.labels.count == 16)
    let last = try data.evaluation.batch(index: 1)
    #expect(last.images.shape == [14, 1, 28, 28])
  }

  @Test func prefetchedEpochEqualsBatchByBatchAndDependsOnlyOnSeedEpochIndex() throws {
    let root = try temporaryRoot()
    defer { try? FileManager.default.removeItem(at: root) }
    try writeSplit("train", count: 64, root: root)
    try writeSplit("test", count: 10, root: root)
    let request = ExperimentData.Request(dataset: "fashion_mnist", batchSize: 8, seed: 5)
    let first = try ExperimentData.load(request, root: root)
    let second = try ExperimentData.load(request, root: root)
    var stream = first.training.batches(epoch: 2, from: 3)
    var index = 3
    while let batch = try stream.next() {
      let direct = try second.training.batch(epoch: 2, index: index)
      #expect(batch.labels == direct.labels)
      #expect((0..<batch.images.count).allSatisfy { batch.images[$0] == direct.images[$0] })
      index += 1
    }
    #expect(index == 8)
    let otherEpoch = try second.training.batch(epoch: 3, index: 3)
    let sameEpoch = try second.training.batch(epoch: 2, index: 3)
    #expect(otherEpoch.labels != sameEpoch.labels || (0..<8).contains { otherEpoch.images[$0] != sameEpoch.images[$0] })
  }

  @Test func missingCacheAndTooSmallSubsetAreClearErrors() throws {
    let root = try temporaryRoot()
    defer { try? FileManager.default.removeItem(at: root) }
    #expect(throws: DatasetError.self) {
      try ExperimentData.load(.init(dataset: "fashion_mnist", batchSize: 8, seed: 0), root: root)
    }
    try writeSplit("train", count: 20, root: root)
    try writeSplit("test", count: 10, root: root)
    #expect(throws: ExperimentDataError.tooFewImages(dataset: "fashion_mnist", images: 10, batchSize: 16)) {
      try ExperimentData.load(.init(dataset: "fashion_mnist", batchSize: 16, seed: 0, trainSubset: 10), root: root)
    }
  }
}
