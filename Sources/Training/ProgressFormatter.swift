/// One compact line per event, for terminals and logs:
///
///     epoch 3/100 batch 120/390  loss 1.2345  acc 45.6%  812 img/s  ETA 1h02m
///     epoch 3/100 done  lr 0.1  CE 1.2345 MFD 0.0123  train 45.6%  test 52.3%  |R| S0 0.12 … S4 0.09  34.5 s  812 img/s  RSS 1.20 GiB  ETA 1h02m
public enum ProgressFormatter {
  public static func line(_ event: TrainingEvent) -> String {
    switch event {
    case .started(let report, let epochs):
      var parts: [String] = report.rejected.map(\.description)
      if let loaded = report.loaded {
        parts.append("resuming after epoch \(report.epochsCompleted)/\(epochs) from \(loaded)")
      } else {
        parts.append("starting epoch 1/\(epochs) from scratch")
      }
      if let threads = report.threadsChangedFrom {
        parts.append("note: the checkpoint was trained with \(threads) threads; results will not be "
                     + "bit-identical to an uninterrupted run")
      }
      return parts.joined(separator: "\n")
    case .batch(let p):
      return "epoch \(p.epoch)/\(p.epochs) batch \(p.batch)/\(p.batchesPerEpoch)  "
        + "loss \(fixed(p.runningLoss, 4))  acc \(percent(p.runningAccuracy))  "
        + "\(fixed(p.imagesPerSecond, 0)) img/s  ETA \(duration(p.etaSeconds))"
    case .epoch(let m, let epochs, let eta):
      var line = "epoch \(m.epoch)/\(epochs) done  lr \(Float(m.learningRate))  CE \(fixed(m.trainCrossEntropy, 4))"
      if !m.trainMFD.isEmpty {
        line += " MFD \(fixed(m.trainMFD.reduce(0) { $0 + $1.loss }, 4))"
      }
      line += "  train \(percent(m.trainAccuracy))  test \(percent(m.testAccuracy))"
      if !m.stageCorrelation.isEmpty {
        line += "  |R| " + m.stageCorrelation.map { "\($0.stage) \(fixed($0.meanAbsoluteCorrelation, 3))" }
          .joined(separator: " ")
      }
      line += "  \(fixed(m.seconds, 1)) s  \(fixed(m.imagesPerSecond, 0)) img/s"
      line += "  RSS \(fixed(Double(m.peakResidentBytes) / 1_073_741_824, 2)) GiB  ETA \(duration(eta))"
      return line
    }
  }

  /// `value` with `digits` decimals (no Foundation formatting: the same text on every platform).
  static func fixed(_ value: Double, _ digits: Int) -> String {
    guard value.isFinite else { return "\(value)" }
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let scaled = (abs(value) * scale).rounded()
    let whole = Int(scaled / scale)
    let fraction = Int(scaled - Double(whole) * scale)
    let sign = value < 0 && scaled > 0 ? "-" : ""
    guard digits > 0 else { return sign + String(whole) }
    let text = String(fraction)
    return sign + String(whole) + "." + String(repeating: "0", count: digits - text.count) + text
  }

  static func percent(_ fraction: Double) -> String { fixed(fraction * 100, 1) + "%" }

  /// "45s", "12m05s", "3h07m"; "?" when unknown.
  static func duration(_ seconds: Double?) -> String {
    guard let seconds, seconds.isFinite, seconds >= 0 else { return "?" }
    let total = Int(seconds.rounded())
    let (h, m, s) = (total / 3600, total % 3600 / 60, total % 60)
    func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
    if h > 0 { return "\(h)h\(two(m))m" }
    if m > 0 { return "\(m)m\(two(s))s" }
    return "\(s)s"
  }
}
