import Foundation
import Pipeline

/// Prints the executor's events to standard error: a line when a step starts or ends (with the
/// sweep's overall count) and, per running step, a progress line at most every `interval` seconds.
final class ProgressPrinter: ExecutionObserver, @unchecked Sendable {
  private let lock = NSLock()
  private var lastPrinted: [StepID: Date] = [:]
  private let interval: Double

  init(interval: Double = 10) { self.interval = interval }

  func stepStarted(_ id: StepID, threads: Int, attempt: Int) {
    emit("▶ \(id) (\(threads) thread\(threads == 1 ? "" : "s")\(attempt > 1 ? ", attempt \(attempt)" : ""))")
  }

  func stepProgressed(_ id: StepID, _ progress: StepProgress, etaSeconds: Double?) {
    let now = Date()
    let due = lock.withLock { () -> Bool in
      if let last = lastPrinted[id], now.timeIntervalSince(last) < interval { return false }
      lastPrinted[id] = now
      return true
    }
    guard due else { return }
    emit("  \(id): " + Self.describe(progress, etaSeconds: etaSeconds))
  }

  func stepFinished(_ id: StepID, _ outcome: StepOutcome, finished: Int, total: Int) {
    let mark: String
    switch outcome {
    case .completed, .reused: mark = "✓"
    case .failed: mark = "✗"
    default: mark = "·"
    }
    emit("\(mark) [\(finished)/\(total)] \(id): \(outcome)")
  }

  /// "epoch 3/100, loss 1.234, accuracy 45.6 %, 12 % done, ETA 12 min".
  static func describe(_ progress: StepProgress, etaSeconds: Double?) -> String {
    var parts: [String] = []
    if let epoch = progress.epoch { parts.append("epoch \(epoch)" + (progress.epochs.map { "/\($0)" } ?? "")) }
    if let loss = progress.loss { parts.append(String(format: "loss %.4f", loss)) }
    if let accuracy = progress.accuracy { parts.append(String(format: "accuracy %.2f %%", accuracy)) }
    if let fraction = progress.fraction { parts.append(String(format: "%.0f %% done", fraction * 100)) }
    if let eta = etaSeconds { parts.append("ETA \(Duration.seconds(eta).formattedShort)") }
    if let message = progress.message { parts.append(message) }
    return parts.joined(separator: ", ")
  }

  private func emit(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
  }
}
