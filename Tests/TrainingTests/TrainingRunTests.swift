import Engine
import Foundation
import Models
import Testing
import Training

@Suite struct TrainingRunTests {
  /// A tiny ResNet50 with MFD at the stages learns the synthetic problem: the training loss
  /// falls and test accuracy ends well above the 25 % of chance. (Eval mode uses the BN running
  /// statistics, which need a few dozen steps to catch up with the weights, hence 16 batches per
  /// epoch; at 16 × 16 the last stage is still 2 × 2.)
  @Test func lossFallsAndTestAccuracyRisesAboveChance() throws {
    let (train, test) = TrainingFixtures.problem(side: 16, batches: 16, batch: 16, testCount: 64)
    let configuration = TrainingFixtures.configuration(
      epochs: 4, schedule: StepSchedule(base: 0.02, milestones: [3], gamma: 0.1))
    let run = try TrainingRun(configuration: configuration, training: train, evaluation: test, checkpoints: nil)
    let result = try TrainingFixtures.finished(run.run())
    let history = result.history
    #expect(history.count == 4)
    #expect(history.last!.trainCrossEntropy < history.first!.trainCrossEntropy / 2,
            "train CE per epoch: \(history.map(\.trainCrossEntropy))")
    #expect(history.last!.trainAccuracy >= 0.7, "train accuracy per epoch: \(history.map(\.trainAccuracy))")
    #expect(result.finalTestAccuracy >= 0.6, "test accuracy per epoch: \(history.map(\.testAccuracy))")
    #expect(result.bestTestAccuracy >= result.finalTestAccuracy)
  }

  /// The rate of `StepSchedule` is what the optimiser uses during each epoch, switching exactly
  /// at the milestones (MultiStepLR semantics: milestone 1 means from the second epoch on).
  @Test func learningRateChangesAtTheMilestones() throws {
    let configuration = TrainingFixtures.configuration(
      placement: .none, epochs: 3, schedule: StepSchedule(base: 0.05, milestones: [1, 2], gamma: 0.5))
    let run = try TrainingFixtures.run(configuration, directory: nil)
    var ratesSeen: [Int: Set<Float>] = [:]
    let result = try TrainingFixtures.finished(run.run { event in
      if case .batch(let p) = event { ratesSeen[p.epoch, default: []].insert(run.optimizer.learningRate) }
    })
    #expect(ratesSeen == [1: [0.05], 2: [0.025], 3: [0.0125]])
    #expect(result.history.map(\.learningRate) == [0.05, 0.025, 0.0125])
  }

  /// Every epoch row has the per-tap MFD means, the five stages' mean |R| in [0, 1], timings and
  /// memory; the result summarises them.
  @Test func epochMetricsAreComplete() throws {
    let run = try TrainingFixtures.run(TrainingFixtures.configuration(epochs: 2), directory: nil)
    let result = try TrainingFixtures.finished(run.run())
    for row in result.history {
      #expect(row.trainMFD.map(\.label) == ["S0", "S1", "S2", "S3", "S4"])
      #expect(row.trainMFD.allSatisfy { $0.loss > 0 && $0.loss < 1 })
      #expect(row.stageCorrelation.map(\.stage) == ["S0", "S1", "S2", "S3", "S4"])
      #expect(row.stageCorrelation.allSatisfy { $0.meanAbsoluteCorrelation > 0 && $0.meanAbsoluteCorrelation <= 1 })
      #expect(row.trainImages == 32 && row.imagesPerSecond > 0 && row.trainSeconds > 0)
      #expect(row.seconds >= row.trainSeconds + row.evaluationSeconds)
      #expect(row.peakResidentBytes > 1 << 20)
      #expect(row.testAccuracy >= 0 && row.testAccuracy <= 1)
    }
    #expect(result.history.map(\.epoch) == [1, 2])
    #expect(result.finalStageCorrelation == result.history[1].stageCorrelation)
    #expect(result.data == DataSummary(batchSize: 8, batchesPerEpoch: 4, testSamples: 32, testBatches: 4))
    #expect(result.parameterCount == run.network.parameterCount)
    #expect(result.resumedAt.isEmpty)
  }

  /// Without MFD there are no tap losses, and switching the measurement off leaves the
  /// stage correlations empty.
  @Test func softmaxOnlyRunHasNoTapLossesAndCorrelationCanBeSkipped() throws {
    var configuration = TrainingFixtures.configuration(placement: .none, epochs: 1)
    configuration.measuresStageCorrelation = false
    let result = try TrainingFixtures.finished(try TrainingFixtures.run(configuration, directory: nil).run())
    #expect(result.history[0].trainMFD.isEmpty)
    #expect(result.history[0].stageCorrelation.isEmpty)
  }

  /// The same seed and thread count give the same weights; another seed gives others.
  @Test func runsAreDeterministicPerSeed() throws {
    func weights(seed: UInt64) throws -> [String: [Float]] {
      let run = try TrainingFixtures.run(TrainingFixtures.configuration(epochs: 1, seed: seed), directory: nil)
      _ = try run.run()
      return TrainingFixtures.state(run.network)
    }
    let first = try weights(seed: 1)
    #expect(try weights(seed: 1) == first)
    #expect(try weights(seed: 2) != first)
  }

  /// Invalid settings are refused before any work, naming the field.
  @Test func invalidConfigurationNamesTheField() throws {
    var configuration = TrainingFixtures.configuration()
    configuration.epochs = 0
    #expect(throws: TrainingError.invalidConfiguration(field: "epochs", reason: "must be at least 1, got 0")) {
      try TrainingFixtures.run(configuration, directory: nil)
    }
    configuration = TrainingFixtures.configuration(schedule: StepSchedule(base: -1, milestones: []))
    #expect(throws: TrainingError.self) { try TrainingFixtures.run(configuration, directory: nil) }
  }

  /// A data source that ends its epoch early breaks the contract and is reported with the
  /// epoch and batch, not trained on silently.
  @Test func shortEpochIsADataError() throws {
    struct ShortEpoch: TrainingData {
      let inner: SyntheticTrainingData
      var batchesPerEpoch: Int { inner.batchesPerEpoch }
      var batchSize: Int { inner.batchSize }
      func batch(epoch: Int, index: Int) throws -> LabelledBatch { try inner.batch(epoch: epoch, index: index) }
      func batches(epoch: Int, from startIndex: Int) -> any BatchStream { Two(inner: inner, epoch: epoch) }
      struct Two: BatchStream {
        let inner: SyntheticTrainingData
        let epoch: Int
        var index = 0
        mutating func next() throws -> LabelledBatch? {
          guard index < 2 else { return nil }
          defer { index += 1 }
          return try inner.batch(epoch: epoch, index: index)
        }
      }
    }
    let (train, test) = TrainingFixtures.problem()
    let run = try TrainingRun(configuration: TrainingFixtures.configuration(), training: ShortEpoch(inner: train),
                              evaluation: test, checkpoints: nil)
    #expect(throws: TrainingError.data(epoch: 0, batch: 2, reason: "the epoch ended after 2 of its 4 batches")) {
      try run.run()
    }
  }
}
