import Engine
import Testing
import Training

@Suite struct SyntheticDataTests {
  static let problem = SyntheticClassification(classes: 5, side: 8, trainCount: 40, testCount: 23, seed: 3)

  /// The data contract: a batch is a pure function of (seed, epoch, index), asked in any order.
  @Test func trainingBatchIsAPureFunctionOfEpochAndIndex() throws {
    let data = Self.problem.trainingData(batchSize: 8)
    let late = try data.batch(epoch: 3, index: 4)
    _ = try data.batch(epoch: 0, index: 0)
    let again = try data.batch(epoch: 3, index: 4)
    #expect(again.images.values == late.images.values && again.labels == late.labels)
    let copy = SyntheticClassification(classes: 5, side: 8, trainCount: 40, testCount: 23, seed: 3)
    #expect(try copy.trainingData(batchSize: 8).batch(epoch: 3, index: 4).images.values == late.images.values)
    let otherEpoch = try data.batch(epoch: 4, index: 4)
    #expect(otherEpoch.images.values != late.images.values)
  }

  /// An epoch visits every training sample once (each label 8 times), in a new order per epoch.
  @Test func epochIsAPermutationOfTheTrainingSplit() throws {
    let data = Self.problem.trainingData(batchSize: 8)
    #expect(data.batchesPerEpoch == 5)
    func labels(_ epoch: Int) throws -> [Int32] {
      try (0..<5).flatMap { try data.batch(epoch: epoch, index: $0).labels }
    }
    #expect(try labels(0).sorted() == (0..<40).map { Int32($0 % 5) }.sorted())
    #expect(try labels(0) != labels(1))
  }

  /// The test split comes in order, every sample once, the last batch smaller.
  @Test func testSplitCoversEverySampleInOrder() throws {
    let data = Self.problem.evaluationData(batchSize: 8)
    #expect(data.batchCount == 3 && data.sampleCount == 23)
    let batches = try (0..<3).map { try data.batch(index: $0) }
    #expect(batches.map(\.count) == [8, 8, 7])
    #expect(batches.flatMap(\.labels) == (0..<23).map { Int32($0 % 5) })
    #expect(batches[2].images.shape == [7, 3, 8, 8])
  }

  /// Samples carry their class's pattern: same-class images correlate more than others.
  @Test func samplesOfAClassShareAPattern() throws {
    let images = try Self.problem.evaluationData(batchSize: 23).batch(index: 0).images
    let size = 3 * 8 * 8
    func dot(_ a: Int, _ b: Int) -> Float {
      (0..<size).reduce(0) { $0 + images[a * size + $1] * images[b * size + $1] }
    }
    // Samples 0, 5, 10 are class 0; 1, 2 are classes 1 and 2.
    let same = (dot(0, 5) + dot(0, 10) + dot(5, 10)) / 3
    let different = (dot(0, 1) + dot(0, 2) + dot(5, 1)) / 3
    #expect(same > different + 50, "same-class \(same), different-class \(different)")
  }
}
