import Foundation

/// Runs one kind of step. The Steps module implements one per kind (fetch, preprocess, train,
/// evaluate) and registers it in a `StepRunnerRegistry`; the pipeline never knows what they compute.
///
/// Contract: read inputs only from `context.inputDirectories`, write results only into
/// `context.outputDirectory` (emptied before every attempt), keep resumable state (epoch
/// checkpoints) in `context.workDirectory` (kept across attempts of the same key, deleted after the
/// commit), use at most `context.threads` threads, report through `context.progress`, and poll
/// `context.cancellation` at safe points (between batches or epochs), throwing when it is set.
/// Throwing leaves no record, so the step is planned again as incomplete.
public protocol StepRunner: Sendable {
  /// Part of every key of this kind: change it whenever the step would produce different outputs
  /// from the same config and inputs (a bug fix, a new output file), so stale results are redone.
  var codeVersion: String { get }

  func run(_ context: StepContext) throws
}

/// Everything a runner gets for one attempt.
public struct StepContext: Sendable {
  public let step: Step
  /// The resolved configuration (a JSON object; see `GridExpansion` for each kind's fields).
  public var config: ConfigValue { step.config }
  /// Each input's finished `outputs/` directory, in `step.inputs` order.
  public let inputDirectories: [(id: StepID, directory: URL)]
  /// Where to write the outputs; everything here is hashed and recorded.
  public let outputDirectory: URL
  /// Private scratch kept across attempts (checkpoints); not part of the result.
  public let workDirectory: URL
  /// Threads this step may use (the executor divides the cores among concurrent steps).
  public let threads: Int
  /// 1 for the first attempt, 2 for the first retry, …
  public let attempt: Int
  public let progress: @Sendable (StepProgress) -> Void
  public let cancellation: CancellationToken

  public init(step: Step, inputDirectories: [(id: StepID, directory: URL)], outputDirectory: URL, workDirectory: URL,
              threads: Int, attempt: Int, progress: @escaping @Sendable (StepProgress) -> Void,
              cancellation: CancellationToken) {
    self.step = step
    self.inputDirectories = inputDirectories
    self.outputDirectory = outputDirectory
    self.workDirectory = workDirectory
    self.threads = threads
    self.attempt = attempt
    self.progress = progress
    self.cancellation = cancellation
  }

  /// The output directory of the input with this id.
  public func inputDirectory(_ id: StepID) -> URL? { inputDirectories.first { $0.id == id }?.directory }
}

/// A progress report from a running step. All fields optional: report what the step knows.
public struct StepProgress: Sendable, Codable, Equatable {
  /// Fraction done in [0, 1]; the executor derives the ETA from it and the elapsed time.
  public var fraction: Double?
  /// 1-based epoch being trained, and the number of epochs.
  public var epoch: Int?
  public var epochs: Int?
  /// Mean training loss so far in this epoch.
  public var loss: Double?
  /// Accuracy in % (training accuracy while training, test accuracy when evaluating).
  public var accuracy: Double?
  /// Free text ("downloading 12/170 MB").
  public var message: String?

  public init(fraction: Double? = nil, epoch: Int? = nil, epochs: Int? = nil, loss: Double? = nil,
              accuracy: Double? = nil, message: String? = nil) {
    self.fraction = fraction
    self.epoch = epoch
    self.epochs = epochs
    self.loss = loss
    self.accuracy = accuracy
    self.message = message
  }
}

/// Thrown by a runner that stopped because `CancellationToken` was set.
public struct StepCancelled: Error, Sendable, CustomStringConvertible {
  public init() {}
  public var description: String { "stopped at a safe point on request" }
}
