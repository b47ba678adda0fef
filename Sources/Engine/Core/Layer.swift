/// Whether a forward pass trains (batch statistics, MFD taps active) or evaluates.
public enum Mode: Sendable { case train, eval }

/// A learnable tensor and its accumulated gradient, same shape.
public final class Parameter: @unchecked Sendable {
  public let value: Tensor
  public let grad: Tensor

  public init(_ value: Tensor) {
    self.value = value
    self.grad = Tensor(zeros: value.shape)
  }

  public convenience init(zeros shape: [Int]) { self.init(Tensor(zeros: shape)) }
}

/// A named entry of a model's state: a parameter, or a buffer such as a BN running mean.
public enum StateEntry {
  case parameter(Parameter)
  /// Float32 buffer (running statistics).
  case buffer(Tensor)
  /// Int64 counter (`num_batches_tracked`), kept as PyTorch keeps it.
  case counter(Counter)
}

/// A mutable Int64 scalar that lives in a model's state dict.
public final class Counter: @unchecked Sendable {
  public var value: Int64
  public init(_ value: Int64 = 0) { self.value = value }
}

/// A block with a hand-written backward pass.
///
/// Composites call their children's `backward` in reverse order (no tape). Each layer caches what
/// its backward needs during `forward(_:mode: .train)`; `backward` must follow the matching forward.
public protocol Layer: AnyObject {
  /// Computes the output, caching what `backward` needs.
  func forward(_ input: Tensor, mode: Mode) -> Tensor
  /// Accumulates parameter gradients; returns the gradient with respect to the last input.
  func backward(_ gradOutput: Tensor) -> Tensor
  /// The output shape for an input shape, or an error naming the layer and both shapes.
  func outputShape(for inputShape: [Int]) throws(ShapeError) -> [Int]
  /// Parameters and buffers under torchvision-style dotted names relative to this layer.
  func namedState() -> [(name: String, entry: StateEntry)]
  /// Forward multiply-accumulates per input of `inputShape` (batch dimension included).
  func macs(for inputShape: [Int]) -> Int
}

extension Layer {
  public func namedState() -> [(name: String, entry: StateEntry)] { [] }
  public func macs(for inputShape: [Int]) -> Int { 0 }

  /// Trainable parameters with their dotted names.
  public func namedParameters() -> [(name: String, parameter: Parameter)] {
    namedState().compactMap { item in
      if case .parameter(let p) = item.entry { return (item.name, p) }
      return nil
    }
  }

  /// Sets every parameter gradient to zero.
  public func zeroGradients() {
    for (_, p) in namedParameters() { p.grad.fill(0) }
  }

  /// Total number of learnable scalars.
  public var parameterCount: Int { namedParameters().reduce(0) { $0 + $1.parameter.value.count } }
}

/// Joins a prefix and a local name with a dot, omitting empty parts.
public func joinName(_ prefix: String, _ name: String) -> String {
  if prefix.isEmpty { return name }
  if name.isEmpty { return prefix }
  return prefix + "." + name
}

/// A shape that a layer cannot accept.
public struct ShapeError: Error, CustomStringConvertible, Equatable {
  /// The layer (its type and, where known, its dotted name).
  public var layer: String
  public var expected: String
  public var actual: [Int]

  public init(layer: String, expected: String, actual: [Int]) {
    self.layer = layer
    self.expected = expected
    self.actual = actual
  }

  public var description: String {
    "shape mismatch in \(layer): expected \(expected), got \(actual)"
  }
}
