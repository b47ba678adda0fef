import Foundation
@testable import Pipeline

/// A deterministic, sleep-free stand-in for the Steps module: every kind writes small files derived
/// from its config and inputs; evaluate writes `metrics.json` with an accuracy computed from the
/// cell and seed. It counts executions per step id and can be told to fail or crash.
final class FakeStepRunner: StepRunner, @unchecked Sendable {
  enum Behaviour: Sendable {
    /// Throws every time.
    case fail
    /// Throws `failures` times, then succeeds (for retries).
    case failTimes(Int)
    /// Writes a checkpoint into the work directory and half its outputs, then throws: a crash mid-way.
    case crashMidway
    /// Reports progress, then waits (without sleeping: by polling) until cancelled, and throws `StepCancelled`.
    case waitForCancellation
    /// Writes a partial output and a checkpoint, creates `marker`, then blocks in pause(2) until
    /// the process is killed (for SIGKILL tests in a child process).
    case hangUntilKilled(marker: String)
  }

  let codeVersion: String
  private let lock = NSLock()
  private var behaviours: [StepID: Behaviour] = [:]
  private var failuresSoFar: [StepID: Int] = [:]
  private(set) var executions: [StepID] = []
  private(set) var threadCounts: [StepID: Int] = [:]
  private(set) var resumedFromCheckpoint: [StepID] = []
  private var running = 0
  private(set) var maxConcurrent = 0
  private(set) var progressReports = 0

  init(codeVersion: String = "fake-1") { self.codeVersion = codeVersion }

  func set(_ behaviour: Behaviour?, for id: StepID) { lock.withLock { behaviours[id] = behaviour } }

  func count(_ id: StepID) -> Int { lock.withLock { executions.filter { $0 == id }.count } }

  var totalExecutions: Int { lock.withLock { executions.count } }

  func run(_ context: StepContext) throws {
    let id = context.step.id
    let behaviour: Behaviour? = lock.withLock {
      executions.append(id)
      threadCounts[id] = context.threads
      running += 1
      maxConcurrent = max(maxConcurrent, running)
      return behaviours[id]
    }
    defer { lock.withLock { running -= 1 } }
    let checkpoint = context.workDirectory.appendingPathComponent("checkpoint")
    if FileManager.default.fileExists(atPath: checkpoint.path) { lock.withLock { resumedFromCheckpoint.append(id) } }
    for input in context.inputDirectories where !FileManager.default.fileExists(atPath: input.directory.path) {
      throw FakeError.missingInput(input.id)
    }
    switch behaviour {
    case .fail: throw FakeError.planned(id)
    case .failTimes(let times):
      let failed = lock.withLock { () -> Int in failuresSoFar[id, default: 0] += 1; return failuresSoFar[id]! }
      if failed <= times { throw FakeError.planned(id) }
    case .crashMidway:
      try Data("epoch 1".utf8).write(to: checkpoint)
      try Data("half".utf8).write(to: context.outputDirectory.appendingPathComponent("partial.bin"))
      lock.withLock { behaviours[id] = nil }  // The next attempt (after the "restart") succeeds.
      throw FakeError.crashed(id)
    case .waitForCancellation:
      context.progress(StepProgress(fraction: 0.5, epoch: 1, epochs: 2, loss: 1.5, accuracy: 40))
      while !context.cancellation.isCancelled { sched_yield() }
      throw StepCancelled()
    case .hangUntilKilled(let marker):
      try Data("epoch 1".utf8).write(to: checkpoint)
      try Data("half".utf8).write(to: context.outputDirectory.appendingPathComponent("partial.bin"))
      _ = FileManager.default.createFile(atPath: marker, contents: Data())
      while true { pause() }
    case nil: break
    }
    context.progress(StepProgress(fraction: 1, epoch: 1, epochs: 1, loss: 0.5, accuracy: 90))
    lock.withLock { progressReports += 1 }
    let text = "\(id)\n\(context.config.canonicalJSON)\n" + context.inputDirectories.map(\.id.description).joined(separator: ",")
    try Data(text.utf8).write(to: context.outputDirectory.appendingPathComponent("result.txt"))
    if id.kind == .evaluate {
      try EvaluationMetrics.write(["top1_accuracy": Self.accuracy(context.config), "loss": 0.25], to: context.outputDirectory)
    }
  }

  /// 90 + a spread by seed (so a 3-seed std is 1.0) + 1 for MFD cells.
  static func accuracy(_ config: ConfigValue) -> Double {
    let seed = Double(config[path: "seed"]?.intValue ?? 0)
    let mfd = (config[path: "loss"]?.stringValue ?? "").contains("mfd") ? 1.0 : 0.0
    return 90 + seed + mfd
  }
}

enum FakeError: Error, CustomStringConvertible {
  case planned(StepID), crashed(StepID), missingInput(StepID)
  var description: String {
    switch self {
    case .planned(let id): return "planned failure of \(id)"
    case .crashed(let id): return "simulated crash of \(id)"
    case .missingInput(let id): return "input \(id) missing"
    }
  }
}

extension StepRunnerRegistry {
  /// Every kind served by one fake runner (aggregate included, which is real and reads evaluate outputs).
  static func fake(_ runner: FakeStepRunner) -> StepRunnerRegistry {
    var registry = StepRunnerRegistry.builtIn
    for kind in [StepKind.fetch, .preprocess, .train, .evaluate] { registry.register(runner, for: kind) }
    return registry
  }
}
