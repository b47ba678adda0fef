/// An identity that keeps the last tensor through it: the penultimate embedding (the pooled
/// features before the classifier), which the face losses read.
public final class FeatureHook: Layer {
  /// The last forward's input (the tensor itself, valid until the next forward).
  public private(set) var lastFeatures: Tensor?

  public init() {}

  public func outputShape(for inputShape: [Int]) throws(ShapeError) -> [Int] { inputShape }

  /// - input: [n, features] → the same tensor.
  public func forward(_ input: Tensor, mode: Mode) -> Tensor {
    lastFeatures = input
    return input
  }

  public func backward(_ gradOutput: Tensor) -> Tensor { gradOutput }
}
