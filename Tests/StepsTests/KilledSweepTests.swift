import Foundation
import TestSupport
import Testing

/// `mfd run` with the real steps on the real Fashion-MNIST, SIGKILLed at several seeded moments
/// and restarted each time: it must end with a table byte-identical to an uninterrupted run's,
/// and a step that had finished must never run again (its record is never rewritten).
@Suite(.serialized) struct KilledSweepTests {
  static let manifest = TinyFashionMNISTGrid.manifest(epochs: 2, milestones: [1], seeds: [0, 1],
                                                      trainSubset: 96, testSubset: 48)

  /// The `mfd` binary `swift build --build-tests` made next to the tests (debug; numeric targets at -O).
  static var binary: URL {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent(".build/debug/mfd")
  }

  func launch(in directory: URL, store: String, output: String, dataRoot: URL) throws -> Process {
    let process = Process()
    process.executableURL = Self.binary
    process.arguments = ["run", "tiny", "--store", store, "--output", output, "--threads", "2"]
    process.currentDirectoryURL = directory
    var environment = ProcessInfo.processInfo.environment
    environment["MFD_DATA_ROOT"] = dataRoot.path
    process.environment = environment
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    return process
  }

  /// Every finished step's record and its modification time.
  func finishedRecords(_ store: URL) -> [String: Date] {
    let steps = store.appendingPathComponent("steps")
    let keys = (try? FileManager.default.contentsOfDirectory(atPath: steps.path)) ?? []
    var records: [String: Date] = [:]
    for key in keys {
      let record = steps.appendingPathComponent(key).appendingPathComponent("record.json")
      if let date = (try? FileManager.default.attributesOfItem(atPath: record.path))?[.modificationDate] as? Date {
        records[key] = date
      }
    }
    return records
  }

  @Test(.enabled(if: FileManager.default.fileExists(atPath: TinyFashionMNISTGrid.debianFolder)))
  func killedAndRestartedSweepEndsWithTheUninterruptedTable() throws {
    #expect(FileManager.default.isExecutableFile(atPath: Self.binary.path), "build it with swift build --build-tests")
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("mfd-kill-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: root) }
    let manifests = root.appendingPathComponent("manifests")
    try FileManager.default.createDirectory(at: manifests, withIntermediateDirectories: true)
    try Self.manifest.write(to: manifests.appendingPathComponent("tiny.yaml"), atomically: true, encoding: .utf8)
    let dataRoot = root.appendingPathComponent("data")

    let started = Date()
    let straight = try launch(in: root, store: "store-straight", output: "straight", dataRoot: dataRoot)
    straight.waitUntilExit()
    let duration = Date().timeIntervalSince(started)
    #expect(straight.terminationStatus == 0)
    let expected = try Data(contentsOf: root.appendingPathComponent("straight/tiny.md"))

    // Kill i lands after the store holds milestones[i] finished steps plus a seeded delay of up to
    // 5 % of an uninterrupted run (at most half a second), so kills hit every phase (data,
    // training, evaluation) and the sweep cannot finish before the last one, however loaded the
    // machine is.
    var state: UInt64 = 0x9E37_79B9_7F4A_7C15
    let store = root.appendingPathComponent("store-killed")
    var finished: [String: Date] = [:]
    for milestone in [0, 3, 6, 9] {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      let delay = min(0.5, duration * 0.05) * Double(state >> 40) / Double(1 << 24)
      let run = try launch(in: root, store: "store-killed", output: "killed", dataRoot: dataRoot)
      while finishedRecords(store).count < milestone && run.isRunning { Thread.sleep(forTimeInterval: 0.01) }
      Thread.sleep(forTimeInterval: delay)
      kill(run.processIdentifier, SIGKILL)
      run.waitUntilExit()
      let now = finishedRecords(store)
      for (key, date) in finished { #expect(now[key] == date, "finished step \(key) ran again") }
      finished = now
    }
    #expect(finished.count < 19, "the kills came too late to interrupt anything")  // 19 steps in all
    let last = try launch(in: root, store: "store-killed", output: "killed", dataRoot: dataRoot)
    last.waitUntilExit()
    #expect(last.terminationStatus == 0)
    for (key, date) in finished { #expect(finishedRecords(store)[key] == date, "finished step \(key) ran again") }
    let table = try Data(contentsOf: root.appendingPathComponent("killed/tiny.md"))
    #expect(table == expected, "\(String(decoding: table, as: UTF8.self))\nvs\n\(String(decoding: expected, as: UTF8.self))")
  }
}
