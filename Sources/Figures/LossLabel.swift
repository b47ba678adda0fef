import Foundation
import Models

/// How a run's loss is named on a figure, from its model configuration alone, so curves and
/// feature-map panels of the same runs are labelled alike.
public struct LossLabel: Sendable, Hashable, Comparable {
  public let placement: MFDPlacement
  /// λ; irrelevant (and zero here) without MFD, so all softmax runs share one label.
  public let lambda: Float

  public init(_ model: ModelConfiguration) {
    placement = model.mfdPlacement
    lambda = model.mfdPlacement == .none ? 0 : model.mfdLambda
  }

  /// "Softmax", "Softmax + MFD (λ=1)", or with "blocks" when the taps follow the authors' code
  /// rather than the paper's five stages.
  public var text: String {
    switch placement {
    case .none: "Softmax"
    case .stages: "Softmax + MFD (λ=\(Self.format(lambda)))"
    case .blocks: "Softmax + MFD (λ=\(Self.format(lambda)), blocks)"
    }
  }

  /// Softmax first, then MFD by placement and λ: the paper's legend order.
  public static func < (a: LossLabel, b: LossLabel) -> Bool {
    let order: [MFDPlacement] = [.none, .stages, .blocks]
    let ia = order.firstIndex(of: a.placement)!, ib = order.firstIndex(of: b.placement)!
    return ia != ib ? ia < ib : a.lambda < b.lambda
  }

  /// λ without trailing zeros (1, 0.1, 0.01).
  static func format(_ value: Float) -> String { String(format: "%g", Double(value)) }
}
