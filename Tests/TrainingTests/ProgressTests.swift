import Testing
@testable import Training

@Suite struct ProgressTests {
  /// Every step reports its place, running loss and accuracy, and an ETA once a step was timed;
  /// the epoch events come after the epoch's last batch.
  @Test func eventsArriveInOrderWithRunningFigures() throws {
    let run = try TrainingFixtures.run(TrainingFixtures.configuration(epochs: 2), directory: nil)
    var events: [TrainingEvent] = []
    _ = try run.run { events.append($0) }
    #expect(events.count == 1 + 2 * (4 + 1))
    guard case .started(let report, 2) = events[0] else { Issue.record("first event: \(events[0])"); return }
    #expect(report.loaded == nil)
    var places: [String] = []
    for event in events.dropFirst() {
      switch event {
      case .batch(let p):
        places.append("\(p.epoch).\(p.batch)")
        #expect(p.runningLoss > 0 && p.runningAccuracy >= 0 && p.runningAccuracy <= 1 && p.imagesPerSecond > 0)
        #expect(p.etaSeconds != nil && p.etaSeconds! >= 0)
      case .epoch(let m, _, let eta):
        places.append("\(m.epoch)")
        #expect(eta != nil)
      case .started: Issue.record("started twice")
      }
    }
    #expect(places == ["1.1", "1.2", "1.3", "1.4", "1", "2.1", "2.2", "2.3", "2.4", "2"])
    guard case .epoch(_, _, let lastETA) = events.last else { return }
    #expect(lastETA == 0)
  }

  /// The ETA is the measured mean step time times the steps left, plus the evaluations left at
  /// their measured cost (a third of a step per test batch before one was timed).
  @Test func estimatorUsesMeasuredTimes() {
    var clock = RunTimeEstimator(evaluationBatches: 6)
    #expect(clock.remaining(steps: 10, evaluations: 1) == nil)
    clock.recordStep(seconds: 1)
    clock.recordStep(seconds: 2)
    let beforeEvaluation: Double = 15 + 3  // 10 × 1.5 s, then 6 test batches × 1.5 s / 3
    #expect(clock.remaining(steps: 10, evaluations: 1) == beforeEvaluation)
    clock.recordEvaluation(seconds: 4)
    let measured: Double = 15 + 8
    #expect(clock.remaining(steps: 10, evaluations: 2) == measured)
  }

  @Test func linesAreCompact() {
    let batch = BatchProgress(epoch: 3, epochs: 100, batch: 120, batchesPerEpoch: 390, runningLoss: 1.23456,
                              runningAccuracy: 0.4567, imagesPerSecond: 812.4, etaSeconds: 3725)
    #expect(ProgressFormatter.line(.batch(batch))
      == "epoch 3/100 batch 120/390  loss 1.2346  acc 45.7%  812 img/s  ETA 1h02m")
    let metrics = EpochMetrics(
      epoch: 3, learningRate: 0.010000000000000002, trainCrossEntropy: 1.2, trainMFD: [TapLoss(label: "S0", loss: 0.01)],
      trainAccuracy: 0.5, testAccuracy: 0.523, testCrossEntropy: 1.1,
      stageCorrelation: [StageCorrelation(stage: "S0", meanAbsoluteCorrelation: 0.1234)], seconds: 34.5,
      trainSeconds: 30, trainImages: 24_000, evaluationSeconds: 4.5, imagesPerSecond: 800,
      peakResidentBytes: 1_288_490_189)
    #expect(ProgressFormatter.line(.epoch(metrics, epochs: 100, etaSeconds: 65))
      == "epoch 3/100 done  lr 0.01  CE 1.2000 MFD 0.0100  train 50.0%  test 52.3%  |R| S0 0.123  34.5 s  800 img/s  RSS 1.20 GiB  ETA 1m05s")
    #expect(ProgressFormatter.duration(nil) == "?" && ProgressFormatter.duration(7) == "7s")
    #expect(ProgressFormatter.fixed(-0.00001, 2) == "0.00" && ProgressFormatter.fixed(-2.5, 1) == "-2.5")
  }
}
