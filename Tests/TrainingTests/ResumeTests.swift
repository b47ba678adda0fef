import Engine
import Foundation
import Models
import Testing
import Training

@Suite struct ResumeTests {
  /// A run stopped after epoch 2 (its objects dropped) and resumed from disk for epoch 3 ends
  /// with exactly the bits of a run that was never stopped: parameters, BN statistics, counters.
  /// MobileNetV2 brings dropout (masks re-seeded per epoch), ResNet50 the MFD taps.
  @Test(arguments: [(Architecture.resnet50, MFDPlacement.stages), (.mobilenet_v2, .none)])
  func resumedRunIsBitIdenticalToAnUninterruptedOne(architecture: Architecture, placement: MFDPlacement) throws {
    let configuration = TrainingFixtures.configuration(architecture, placement: placement, epochs: 3)
    let straight = TrainingFixtures.temporaryDirectory(), interrupted = TrainingFixtures.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: straight); try? FileManager.default.removeItem(at: interrupted) }

    let uninterrupted = try TrainingFixtures.run(configuration, directory: straight)
    let expected = try TrainingFixtures.finished(uninterrupted.run())
    let expectedState = TrainingFixtures.state(uninterrupted.network)

    do {
      // "Killed" after epoch 2: the token is raised once epoch 2 is checkpointed.
      let token = CancellationToken()
      let first = try TrainingFixtures.run(configuration, directory: interrupted)
      let outcome = try first.run(cancellation: token) { event in
        if case .epoch(let metrics, _, _) = event, metrics.epoch == 2 { token.cancel() }
      }
      guard case .cancelled(let epochs, _) = outcome else { Issue.record("not cancelled: \(outcome)"); return }
      #expect(epochs == 2)
    }
    let resumed = try TrainingFixtures.run(configuration, directory: interrupted)
    var report: ResumeReport?
    let result = try TrainingFixtures.finished(resumed.run { event in
      if case .started(let r, _) = event { report = r }
    })
    #expect(report?.loaded == interrupted.appendingPathComponent("epoch-0002.json").path)
    #expect(report?.rejected == [])
    let state = TrainingFixtures.state(resumed.network)
    #expect(state.keys.sorted() == expectedState.keys.sorted())
    for (name, values) in expectedState { #expect(state[name] == values, "\(name) differs after resume") }
    #expect(result.resumedAt == [2])
    #expect(result.history.map(\.testAccuracy) == expected.history.map(\.testAccuracy))
    #expect(result.history.map(\.trainCrossEntropy) == expected.history.map(\.trainCrossEntropy))
  }

  /// A flipped byte in the newest weights file is caught by the checksum: that checkpoint is
  /// rejected naming the file, the previous one is used, and the run still ends bit-identical.
  @Test func corruptNewestCheckpointFallsBackToThePreviousOne() throws {
    let configuration = TrainingFixtures.configuration(epochs: 3)
    let directory = TrainingFixtures.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let reference = try TrainingFixtures.run(configuration, directory: directory)
    _ = try reference.run()
    let expectedState = TrainingFixtures.state(reference.network)

    let weights = directory.appendingPathComponent("epoch-0003.safetensors")
    var bytes = try Data(contentsOf: weights)
    bytes[bytes.count - 3] ^= 0x40  // inside the last tensor's data: still parses as safetensors
    try bytes.write(to: weights)

    let resumed = try TrainingFixtures.run(configuration, directory: directory)
    var report: ResumeReport?
    _ = try TrainingFixtures.finished(resumed.run { event in
      if case .started(let r, _) = event { report = r }
    })
    #expect(report?.epochsCompleted == 2)
    #expect(report?.rejected.map(\.path) == [weights.path])
    #expect(report?.rejected.first?.reason.contains("SHA-256") == true)
    #expect(TrainingFixtures.state(resumed.network) == expectedState)
  }

  /// A sidecar altered after it was written — here a digit of its history, which still decodes
  /// — fails its own checksum and is not used.
  @Test func alteredSidecarIsRejected() throws {
    let configuration = TrainingFixtures.configuration(placement: .none, epochs: 2)
    let directory = TrainingFixtures.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    _ = try TrainingFixtures.run(configuration, directory: directory).run()
    let store = EpochCheckpointStore(directory: directory)
    let text = try String(contentsOf: store.sidecarURL(epoch: 2), encoding: .utf8)
    let altered = text.replacingOccurrences(of: "\"trainImages\" : 32", with: "\"trainImages\" : 33")
    #expect(altered != text)
    try Data(altered.utf8).write(to: store.sidecarURL(epoch: 2))
    _ = try JSONDecoder().decode(CheckpointSidecar.self, from: Data(altered.utf8))  // still decodes
    guard case .failure(let rejection) = store.verify(epoch: 2) else { Issue.record("altered sidecar verified"); return }
    #expect(rejection.path == store.sidecarURL(epoch: 2).path)
    #expect(rejection.reason.contains("its own SHA-256"))
    guard case .success = store.verify(epoch: 1) else { Issue.record("epoch 1 should verify"); return }
  }

  /// When no checkpoint is intact (a truncated weights file, a garbled sidecar), the run starts
  /// from scratch and says why it rejected each file; nothing of them is loaded.
  @Test func noIntactCheckpointRestartsFromScratch() throws {
    let configuration = TrainingFixtures.configuration(epochs: 2)
    let directory = TrainingFixtures.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let fresh = try TrainingFixtures.run(configuration, directory: nil)
    let freshState = TrainingFixtures.state(fresh.network)
    _ = try TrainingFixtures.run(configuration, directory: directory).run()

    let weights2 = directory.appendingPathComponent("epoch-0002.safetensors")
    let bytes = try Data(contentsOf: weights2)
    try bytes.prefix(bytes.count / 2).write(to: weights2)
    let sidecar1 = directory.appendingPathComponent("epoch-0001.json")
    try Data("{\"format\": 1, \"epochsCompl".utf8).write(to: sidecar1)

    let restarted = try TrainingFixtures.run(configuration, directory: directory)
    var report: ResumeReport?
    var stateAtStart: [String: [Float]] = [:]
    let outcome = try restarted.run(cancellation: {
      let token = CancellationToken(); token.cancel(); return token
    }()) { event in
      if case .started(let r, _) = event { report = r; stateAtStart = TrainingFixtures.state(restarted.network) }
    }
    guard case .cancelled(0, []) = outcome else { Issue.record("expected a cancelled fresh start: \(outcome)"); return }
    #expect(report?.loaded == nil && report?.epochsCompleted == 0)
    #expect(report?.rejected.map(\.path) == [weights2.path, sidecar1.path])
    #expect(report?.rejected[0].reason.contains("bytes, its sidecar records") == true)
    #expect(report?.rejected[1].reason.contains("not a readable checkpoint sidecar") == true)
    #expect(stateAtStart == freshState)
  }

  /// A weights file whose sidecar was never written (killed between the two writes) is not
  /// trusted; neither is a sidecar whose weights file is gone.
  @Test func halfWrittenPairsAreRejected() throws {
    let configuration = TrainingFixtures.configuration(epochs: 2)
    let directory = TrainingFixtures.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    _ = try TrainingFixtures.run(configuration, directory: directory).run()
    let store = EpochCheckpointStore(directory: directory)
    try FileManager.default.removeItem(at: store.sidecarURL(epoch: 2))
    try FileManager.default.removeItem(at: store.weightsURL(epoch: 1))
    guard case .failure(let noSidecar) = store.verify(epoch: 2),
          case .failure(let noWeights) = store.verify(epoch: 1) else {
      Issue.record("a half-written pair verified"); return
    }
    #expect(noSidecar.path == store.weightsURL(epoch: 2).path && noSidecar.reason.contains("sidecar"))
    #expect(noWeights.path == store.weightsURL(epoch: 1).path && noWeights.reason.contains("missing"))
  }

  /// Running a finished run again trains nothing and returns the same result, timings included
  /// (they come from the checkpoint's history).
  @Test func finishedRunGivesBackItsResult() throws {
    let directory = TrainingFixtures.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let configuration = TrainingFixtures.configuration(placement: .none, epochs: 2)
    let first = try TrainingFixtures.finished(TrainingFixtures.run(configuration, directory: directory).run())
    var steps = 0
    let again = try TrainingFixtures.finished(TrainingFixtures.run(configuration, directory: directory).run { event in
      if case .batch = event { steps += 1 }
    })
    #expect(steps == 0)
    #expect(again == first)
  }

  /// Only the two newest epochs stay on disk.
  @Test func onlyTheLastTwoCheckpointsAreKept() throws {
    let directory = TrainingFixtures.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    _ = try TrainingFixtures.run(TrainingFixtures.configuration(placement: .none, epochs: 4), directory: directory).run()
    let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
    #expect(names == ["epoch-0003.json", "epoch-0003.safetensors", "epoch-0004.json", "epoch-0004.safetensors"])
  }

  /// A fresh run refuses a directory holding checkpoints; a resume under another configuration
  /// is refused naming the fields that differ.
  @Test func checkpointsOfAnotherRunAreNeverContinuedSilently() throws {
    let directory = TrainingFixtures.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let configuration = TrainingFixtures.configuration(placement: .none, epochs: 1)
    _ = try TrainingFixtures.run(configuration, directory: directory).run()
    #expect(throws: TrainingError.checkpointsExist(directory: directory.path)) {
      try TrainingFixtures.run(configuration, directory: directory).run(resume: false)
    }
    var other = configuration
    other.seed = 9
    other.schedule.base = 0.01
    #expect(throws: TrainingError.configurationMismatch(
      file: directory.appendingPathComponent("epoch-0001.json").path, fields: ["schedule", "seed"])) {
      try TrainingFixtures.run(other, directory: directory).run()
    }
  }

  /// The sidecar records the weights file's SHA-256 and size, the position and the history.
  @Test func sidecarDescribesItsWeightsFile() throws {
    let directory = TrainingFixtures.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let configuration = TrainingFixtures.configuration(placement: .none, epochs: 1)
    _ = try TrainingFixtures.run(configuration, directory: directory).run()
    let store = EpochCheckpointStore(directory: directory)
    let sidecar = try JSONDecoder().decode(CheckpointSidecar.self, from: Data(contentsOf: store.sidecarURL(epoch: 1)))
    let weights = try Data(contentsOf: store.weightsURL(epoch: 1))
    #expect(sidecar.weightsBytes == weights.count && sidecar.weightsSHA256.count == 64)
    #expect(sidecar.position == DataPosition(epoch: 1, batch: 0))
    #expect(sidecar.configuration == configuration && sidecar.history.count == 1)
    // The weights file is a plain safetensors checkpoint with the momentum buffers.
    let file = try SafetensorsFile(contentsOf: store.weightsURL(epoch: 1))
    #expect(file.tensors.keys.contains { $0.hasPrefix(Checkpoint.momentumBufferPrefix) })
  }
}
