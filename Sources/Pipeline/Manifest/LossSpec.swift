/// One value of the grid's loss axis: a base classification loss, optionally with the MFD term.
public struct LossSpec: Sendable, Hashable {
  /// Where the MFD term is attached: nowhere, the 5 stage outputs (paper), or every post-ReLU block.
  public enum Placement: String, Sendable, CaseIterable {
    case none, stages, blocks
  }

  public static let baseLosses = ["softmax", "center", "am_softmax", "arcface"]

  public let base: String
  /// The balance factor λ of the MFD term; 0 exactly when `placement == .none`.
  public let lambda: Double
  public let placement: Placement
  /// The face loss's parameters given in the manifest (none for softmax).
  public let parameters: LossParameters
  /// Column header in reports ("Softmax + MFD").
  public let label: String

  public init(base: String, lambda: Double, placement: Placement, parameters: LossParameters = LossParameters(),
              label: String? = nil) {
    self.base = base
    self.lambda = lambda
    self.placement = placement
    self.parameters = parameters
    self.label = label ?? Self.defaultLabel(base: base, placement: placement)
  }

  /// The short id used in step ids and published-value references:
  /// `softmax`, `mfd1`, `mfd0.1`, `mfd1-blocks`, `arcface`, `arcface-mfd1`, `arcface-s15-mfd1`
  /// (parameters given in the manifest follow the base).
  public var tag: String {
    let head = base + parameters.tagSuffix
    guard placement != .none else { return head }
    let mfd = "mfd\(Self.shortNumber(lambda))" + (placement == .blocks ? "-blocks" : "")
    return head == "softmax" ? mfd : "\(head)-\(mfd)"
  }

  /// The loss as it enters a step configuration: base, MFD λ and placement, and the face
  /// loss's parameters that the manifest gives (absent ones take the training code's defaults,
  /// so a softmax step's configuration is what it was before face losses existed).
  public var configValue: ConfigValue {
    var object: [String: ConfigValue] = [
      "base": .string(base), "mfd_lambda": .double(lambda), "mfd_placement": .string(placement.rawValue),
    ]
    for (key, value) in parameters.entries { object[key] = value }
    return .object(object)
  }

  /// `1` for 1.0, `0.1` for 0.1: the shortest form that reads back as the same number.
  static func shortNumber(_ value: Double) -> String {
    if value == value.rounded(), abs(value) < 1e15 { return String(Int(value)) }
    return "\(value)"
  }

  private static func defaultLabel(base: String, placement: Placement) -> String {
    let names = ["softmax": "Softmax", "center": "Center loss", "am_softmax": "AM-Softmax", "arcface": "ArcFace"]
    let name = names[base] ?? base
    return placement == .none ? name : "\(name) + MFD"
  }
}
