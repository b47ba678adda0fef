/// The runner for each step kind. The pipeline registers its own `aggregate`; the Steps module
/// registers fetch, preprocess, train and evaluate. Until then `mfd run` refuses and names them.
public struct StepRunnerRegistry: Sendable {
  private var runners: [StepKind: any StepRunner] = [:]

  public init() {}

  /// A registry with the pipeline's built-in runners (aggregate).
  public static var builtIn: StepRunnerRegistry {
    var registry = StepRunnerRegistry()
    registry.register(AggregateStepRunner(), for: .aggregate)
    return registry
  }

  public mutating func register(_ runner: any StepRunner, for kind: StepKind) { runners[kind] = runner }

  public func runner(for kind: StepKind) -> (any StepRunner)? { runners[kind] }

  /// The code version hashed into keys of `kind`; kinds without a runner get a fixed marker so a
  /// plan can still be made (their keys change once a runner is registered, which is intended).
  public func codeVersion(for kind: StepKind) -> String {
    runners[kind]?.codeVersion ?? "unregistered"
  }

  /// Kinds used by `steps` that have no runner, in pipeline order.
  public func missingKinds(for steps: [Step]) -> [StepKind] {
    Set(steps.map(\.id.kind)).filter { runners[$0] == nil }.sorted()
  }
}

/// `mfd run` was asked to run steps whose kind has no runner.
public struct MissingRunnersError: Error, Sendable, CustomStringConvertible {
  public let kinds: [StepKind]
  public let stepCount: Int

  public init(kinds: [StepKind], stepCount: Int) {
    self.kinds = kinds
    self.stepCount = stepCount
  }

  public var description: String {
    "no runner is registered for step kind(s) \(kinds.map(\.rawValue).joined(separator: ", ")) "
      + "(\(stepCount) step(s) to run need them). The concrete steps come with the Steps module; "
      + "nothing was run and no result was written."
  }
}
