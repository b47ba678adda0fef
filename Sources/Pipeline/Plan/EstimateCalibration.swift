import Foundation

/// Corrects a plan's estimates with what its finished steps really took on this machine.
///
/// The cost model turns FLOPs into seconds with one machine-wide rate, which is right for
/// full-width networks and far off for small ones (a 1/8-width DenseNet121 spends its time in
/// per-layer overheads, not in GEMMs). Every finished step of the same kind and model in the
/// plan says how far: its recorded seconds over the model's estimate for it. The median of those
/// ratios scales the estimates of the steps still to run (same kind and model first, else same
/// kind), so the plan of a resumed or extended sweep quotes measured throughput.
enum EstimateCalibration {
  /// `entries` with to-run estimates scaled, and how many finished steps the scaling rests on.
  static func calibrate(_ entries: [Plan.Entry], model: any CostModel, threads: Int,
                        totalThreads: Int) -> (entries: [Plan.Entry], samples: Int) {
    var byModel: [String: [Double]] = [:], byKind: [StepKind: [Double]] = [:]
    for entry in entries {
      guard let record = entry.record, record.seconds > 0, [.train, .evaluate].contains(entry.step.id.kind),
            let predicted = model.estimatedSeconds(for: entry.step, threads: threads, totalThreads: totalThreads),
            predicted > 0 else { continue }
      let ratio = record.seconds / predicted
      byModel[group(entry.step), default: []].append(ratio)
      byKind[entry.step.id.kind, default: []].append(ratio)
    }
    guard !byKind.isEmpty else { return (entries, 0) }
    let calibrated = entries.map { entry -> Plan.Entry in
      guard entry.willRun, let estimate = entry.estimatedSeconds,
            let ratios = byModel[group(entry.step)] ?? byKind[entry.step.id.kind] else { return entry }
      return Plan.Entry(step: entry.step, key: entry.key, reason: entry.reason,
                        estimatedSeconds: estimate * median(ratios), record: entry.record)
    }
    return (calibrated, byKind.values.reduce(0) { $0 + $1.count })
  }

  private static func group(_ step: Step) -> String {
    "\(step.id.kind.rawValue)|\(step.config[path: "model"]?.stringValue ?? "")"
  }

  private static func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    let middle = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
  }
}
