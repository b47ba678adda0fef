import Foundation
import Models
import Testing
import Training

@Suite struct TrainingResultTests {
  static func row(_ epoch: Int, test: Double, seconds: Double, images: Int, rss: Int) -> EpochMetrics {
    EpochMetrics(epoch: epoch, learningRate: 0.1, trainCrossEntropy: 2.0 / Double(epoch),
                 trainMFD: [TapLoss(label: "S0", loss: 0.015625)], trainAccuracy: 0.3,
                 testAccuracy: test, testCrossEntropy: 1.5,
                 stageCorrelation: [StageCorrelation(stage: "S0", meanAbsoluteCorrelation: 0.1 / Double(epoch))],
                 seconds: seconds, trainSeconds: seconds - 1, trainImages: images, evaluationSeconds: 1,
                 imagesPerSecond: Double(images) / (seconds - 1), peakResidentBytes: rss)
  }

  /// Final, best (first epoch reaching it), totals and peak come from the history.
  @Test func summaryFollowsTheHistory() {
    let history = [Self.row(1, test: 0.4, seconds: 11, images: 100, rss: 5),
                   Self.row(2, test: 0.6, seconds: 21, images: 100, rss: 9),
                   Self.row(3, test: 0.6, seconds: 11, images: 100, rss: 7),
                   Self.row(4, test: 0.5, seconds: 11, images: 100, rss: 6)]
    let result = TrainingResult(configuration: TrainingFixtures.configuration(), data: DataSummary(
      batchSize: 10, batchesPerEpoch: 10, testSamples: 50, testBatches: 5), parameterCount: 1234,
      threads: 2, history: history, resumedAt: [2])
    #expect(result.finalTestAccuracy == 0.5 && result.bestTestAccuracy == 0.6 && result.bestEpoch == 2)
    #expect(result.seconds == 54 && result.imagesPerSecond == 400.0 / 50 && result.peakResidentBytes == 9)
    #expect(result.finalStageCorrelation == history[3].stageCorrelation)
  }

  /// A real run's result survives JSON encoding and decoding exactly, history included.
  @Test func resultAndHistoryRoundTripThroughJSON() throws {
    let run = try TrainingFixtures.run(TrainingFixtures.configuration(epochs: 2), directory: nil)
    let result = try TrainingFixtures.finished(run.run())
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    let json = try encoder.encode(result)
    let decoded = try JSONDecoder().decode(TrainingResult.self, from: json)
    #expect(decoded == result)
    #expect(try encoder.encode(decoded) == json)
    let text = String(decoding: json, as: UTF8.self)
    for key in ["\"finalTestAccuracy\"", "\"history\"", "\"stageCorrelation\"", "\"peakResidentBytes\"",
                "\"configuration\"", "\"mfdPlacement\":\"stages\"", "\"milestones\":[2]"] {
      #expect(text.contains(key), "\(key) missing from \(text.prefix(300))…")
    }
  }
}
