/// Every step of a graph with what will happen to it and why.
public struct Plan: Sendable {
  public struct Entry: Sendable {
    public let step: Step
    /// The key the step runs under; nil while an input still has to run (its digest is unknown).
    public let key: StepKey?
    public let reason: PlanReason
    /// Seconds, from the cost model; nil when unknown. Up-to-date steps report their recorded time.
    public let estimatedSeconds: Double?
    /// The finished record when up to date.
    public let record: StepRecord?

    public var willRun: Bool { reason.willRun }
  }

  /// In the graph's topological order.
  public let entries: [Entry]
  /// Threads each running step gets, as the estimates assume.
  public let threadsPerStep: Int
  /// Finished train/evaluate steps of this plan whose recorded times scaled the estimates
  /// (`EstimateCalibration`); 0 when the estimates are the cost model's alone.
  public var calibrationSamples: Int = 0

  public var toRun: [Entry] { entries.filter(\.willRun) }

  /// Sum of the estimates of steps to run, and how many of them have none.
  public var estimatedSerialSeconds: (seconds: Double, unknown: Int) {
    toRun.reduce((0, 0)) { total, entry in
      entry.estimatedSeconds.map { (total.0 + $0, total.1) } ?? (total.0, total.1 + 1)
    }
  }

  public subscript(id: StepID) -> Entry? { entries.first { $0.step.id == id } }

  /// Only `id` to run, with every finished step kept as a possible input: what one Slurm job executes.
  public func restricted(to id: StepID) -> Plan {
    Plan(entries: entries.filter { $0.step.id == id || !$0.willRun }, threadsPerStep: threadsPerStep)
  }
}
