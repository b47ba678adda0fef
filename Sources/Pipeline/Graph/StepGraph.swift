/// A DAG of steps in a deterministic topological order (by kind, then id).
public struct StepGraph: Sendable {
  /// Two manifests (or one manifest twice) produced the same id with different configurations.
  public struct ConflictError: Error, CustomStringConvertible, Sendable {
    public let id: StepID
    public var description: String {
      "step \(id) is defined twice with different configurations; give the grids distinct values or equal settings"
    }
  }

  public private(set) var steps: [Step] = []
  private var indexByID: [StepID: Int] = [:]

  public init(steps: [Step]) throws(ConflictError) {
    for step in steps { try add(step) }
    sort()
  }

  public subscript(id: StepID) -> Step? { indexByID[id].map { steps[$0] } }

  public var ids: [StepID] { steps.map(\.id) }

  /// Adds a step; an equal step already present is shared, a different one with the same id is a conflict.
  mutating func add(_ step: Step) throws(ConflictError) {
    if let existing = indexByID[step.id] {
      guard steps[existing] == step else { throw ConflictError(id: step.id) }
      return
    }
    indexByID[step.id] = steps.count
    steps.append(step)
  }

  /// The union of two graphs, sharing equal steps.
  public func merged(with other: StepGraph) throws(ConflictError) -> StepGraph {
    var merged = self
    for step in other.steps { try merged.add(step) }
    merged.sort()
    return merged
  }

  /// Steps that read `id`'s outputs directly.
  public func dependents(of id: StepID) -> [StepID] {
    steps.filter { $0.inputs.contains(id) }.map(\.id)
  }

  /// Kinds come in pipeline order (fetch → … → aggregate), and every input's kind precedes its
  /// reader's, so sorting by (kind, name) is a topological order.
  private mutating func sort() {
    steps.sort { $0.id < $1.id }
    indexByID = Dictionary(uniqueKeysWithValues: steps.enumerated().map { ($1.id, $0) })
  }
}
