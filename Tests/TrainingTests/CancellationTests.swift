import Foundation
import Models
import Testing
import Training

@Suite struct CancellationTests {
  /// Cancelling during epoch 2 stops at the next batch boundary, writes nothing for epoch 2,
  /// reports the epochs that are safe; resuming redoes only epoch 2 and ends bit-identical.
  @Test func cancelMidEpochStopsAtTheBatchBoundaryAndLosesOnlyThatEpoch() throws {
    let configuration = TrainingFixtures.configuration(epochs: 3)
    let reference = try TrainingFixtures.run(configuration, directory: nil)
    _ = try reference.run()
    let directory = TrainingFixtures.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }

    let token = CancellationToken()
    var batchesOfEpoch2: [Int] = []
    let interrupted = try TrainingFixtures.run(configuration, directory: directory)
    let outcome = try interrupted.run(cancellation: token) { event in
      if case .batch(let p) = event, p.epoch == 2 {
        batchesOfEpoch2.append(p.batch)
        if p.batch == 2 { token.cancel() }
      }
    }
    guard case .cancelled(let epochs, let history) = outcome else { Issue.record("not cancelled: \(outcome)"); return }
    #expect(epochs == 1 && history.map(\.epoch) == [1])
    #expect(batchesOfEpoch2 == [1, 2])
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
      == ["epoch-0001.json", "epoch-0001.safetensors"])

    let resumed = try TrainingFixtures.run(configuration, directory: directory)
    let result = try TrainingFixtures.finished(resumed.run())
    #expect(result.resumedAt == [1])
    #expect(TrainingFixtures.state(resumed.network) == TrainingFixtures.state(reference.network))
  }

  /// A token raised during evaluation also stops the run without checkpointing that epoch.
  @Test func cancelDuringEvaluationWritesNoCheckpoint() throws {
    struct CancellingTest: EvaluationData {
      let inner: SyntheticEvaluationData
      let token: CancellationToken
      var batchCount: Int { inner.batchCount }
      var sampleCount: Int { inner.sampleCount }
      func batch(index: Int) throws -> LabelledBatch {
        if index == 1 { token.cancel() }
        return try inner.batch(index: index)
      }
    }
    let token = CancellationToken()
    let (train, test) = TrainingFixtures.problem()
    let directory = TrainingFixtures.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let run = try TrainingRun(configuration: TrainingFixtures.configuration(epochs: 2), training: train,
                              evaluation: CancellingTest(inner: test, token: token),
                              checkpoints: EpochCheckpointStore(directory: directory))
    guard case .cancelled(0, []) = try run.run(cancellation: token) else { Issue.record("not cancelled"); return }
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
  }
}
