/// Decides, for every step of a graph, whether it is up to date and otherwise why it runs.
///
/// Keys are content addresses over input *output digests*, so a step's key is known only when its
/// inputs are finished; a step behind an input that runs is planned as "input changed" (or
/// "missing" the first time) and gets its key at launch. The executor then re-checks the store, so
/// an input rebuilt to identical bytes does not re-run its readers.
public struct Planner: Sendable {
  public let store: ArtifactStore
  public let registry: StepRunnerRegistry
  public let costModel: (any CostModel)?
  /// Concurrent steps and the machine's threads, for per-step thread counts in estimates.
  public let jobs: Int
  public let totalThreads: Int

  public init(store: ArtifactStore, registry: StepRunnerRegistry, costModel: (any CostModel)?, jobs: Int, totalThreads: Int) {
    self.store = store
    self.registry = registry
    self.costModel = costModel
    self.jobs = max(1, jobs)
    self.totalThreads = max(1, totalThreads)
  }

  public var threadsPerStep: Int { max(1, totalThreads / jobs) }

  public func plan(_ graph: StepGraph, depth: VerificationDepth = .sizes) -> Plan {
    var entries: [Plan.Entry] = []
    var byID: [StepID: Plan.Entry] = [:]
    let index = StepIndex(layout: store.layout)
    for step in graph.steps {
      let inputEntries = step.inputs.map { byID[$0]! }
      let codeVersion = registry.codeVersion(for: step.id.kind)
      let previous = index.entries(for: step.id).first
      let entry: Plan.Entry
      let estimate = costModel?.estimatedSeconds(for: step, threads: threadsPerStep, totalThreads: totalThreads)
      let pendingInputs = inputEntries.filter(\.willRun).map(\.step.id)
      if !pendingInputs.isEmpty {
        let reason: PlanReason
        if let previous {
          let changed = ConfigDifference.paths(previous.config, step.config)
          reason = changed.isEmpty ? .inputChanged(pendingInputs) : .configChanged(changed)
        } else {
          reason = .missing
        }
        entry = Plan.Entry(step: step, key: nil, reason: reason, estimatedSeconds: estimate, record: nil)
      } else {
        let inputs = inputEntries.map { (id: $0.step.id, digest: $0.record!.outputDigest) }
        let key = StepKey.compute(kind: step.id.kind, config: step.config, codeVersion: codeVersion, inputs: inputs)
        switch store.state(of: key, depth: depth) {
        case .done(let record):
          entry = Plan.Entry(step: step, key: key, reason: .upToDate, estimatedSeconds: record.seconds, record: record)
        case .incomplete:
          entry = Plan.Entry(step: step, key: key, reason: .incomplete, estimatedSeconds: estimate, record: nil)
        case .corrupt(let problem):
          entry = Plan.Entry(step: step, key: key, reason: .corrupt(problem), estimatedSeconds: estimate, record: nil)
        case .absent:
          let reason = Self.reasonAgainst(previous, step: step, codeVersion: codeVersion, inputs: inputs)
          entry = Plan.Entry(step: step, key: key, reason: reason, estimatedSeconds: estimate, record: nil)
        }
      }
      entries.append(entry)
      byID[step.id] = entry
    }
    guard let costModel else { return Plan(entries: entries, threadsPerStep: threadsPerStep) }
    let (calibrated, samples) = EstimateCalibration.calibrate(entries, model: costModel, threads: threadsPerStep,
                                                              totalThreads: totalThreads)
    return Plan(entries: calibrated, threadsPerStep: threadsPerStep, calibrationSamples: samples)
  }

  /// Why a step with no stored result runs, compared with the last run of the same id.
  static func reasonAgainst(_ previous: StepIndex.Entry?, step: Step, codeVersion: String,
                            inputs: [(id: StepID, digest: String)]) -> PlanReason {
    guard let previous else { return .missing }
    let changed = ConfigDifference.paths(previous.config, step.config)
    if !changed.isEmpty { return .configChanged(changed) }
    if previous.codeVersion != codeVersion { return .codeChanged(from: previous.codeVersion, to: codeVersion) }
    let previousDigests = Dictionary(previous.inputs.map { ($0.id, $0.digest) }, uniquingKeysWith: { a, _ in a })
    let changedInputs = inputs.filter { previousDigests[$0.id] != $0.digest }.map(\.id)
    if !changedInputs.isEmpty { return .inputChanged(changedInputs) }
    return .missing  // Same key as before, but its files are gone (removed by gc or by hand).
  }
}

/// The dotted paths at which two configs differ (`settings.optimizer.lr`), sorted.
enum ConfigDifference {
  static func paths(_ a: ConfigValue, _ b: ConfigValue, prefix: String = "") -> [String] {
    guard case .object(let left) = a, case .object(let right) = b else {
      return equivalent(a, b) ? [] : [prefix.isEmpty ? "(whole config)" : prefix]
    }
    var result: [String] = []
    for key in Set(left.keys).union(right.keys).sorted() {
      let path = prefix.isEmpty ? key : "\(prefix).\(key)"
      switch (left[key], right[key]) {
      case let (l?, r?): result += paths(l, r, prefix: path)
      default: result.append(path)
      }
    }
    return result
  }

  /// Equal, counting 1 and 1.0 as equal: JSON read back from a record does not keep the
  /// int/double distinction, and the comparison must not report a change that is not one.
  static func equivalent(_ a: ConfigValue, _ b: ConfigValue) -> Bool {
    switch (a, b) {
    case (.int, .double), (.double, .int): return a.doubleValue == b.doubleValue
    case let (.array(x), .array(y)): return x.count == y.count && zip(x, y).allSatisfy(equivalent)
    case let (.object(x), .object(y)): return paths(a, b).isEmpty && x.count == y.count
    default: return a == b
    }
  }
}
