import Kernels

/// Whether a forward pass trains (batch statistics, MFD taps active) or evaluates.
public enum Mode: Sendable { case train, eval }

/// A block with a hand-written backward pass.
///
/// Composites call their children's `backward` in reverse order (no tape). Each layer caches what
/// its backward needs during `forward(_:mode: .train)`; `backward` must follow the matching forward.
/// Naming, initialisation and state traversal come from `children` and `localState()`.
public protocol Layer: AnyObject {
  /// Computes the output, caching what `backward` needs.
  func forward(_ input: Tensor, mode: Mode) -> Tensor
  /// Accumulates parameter gradients; returns the gradient with respect to the last input.
  /// `gradOutput` is left unchanged.
  func backward(_ gradOutput: Tensor) -> Tensor
  /// `backward`, told whether anything reads `gradOutput` afterwards: with `mayOverwrite` the
  /// layer may write its input gradient into `gradOutput`'s storage and return it (an activation
  /// does, as its gradient is elementwise), so one buffer fewer is in flight, as when PyTorch
  /// frees a gradient once its one reader has run. Composites pass it on where it holds.
  func backward(_ gradOutput: Tensor, mayOverwrite: Bool) -> Tensor
  /// The output shape for an input shape, or an error naming the layer and both shapes.
  func outputShape(for inputShape: [Int]) throws(ShapeError) -> [Int]
  /// Forward multiply-accumulates for one input of `inputShape` (batch dimension included),
  /// this layer's own work only (composites add their children's).
  func macs(for inputShape: [Int]) -> Int
  /// This layer's own parameters and buffers under their local names (`weight`, `running_mean`).
  func localState() -> [(name: String, entry: StateEntry)]
  /// Sub-layers under their local names (`layer1`, `0`, `conv1`); "" merges a child's names
  /// into this layer's namespace.
  var children: [(name: String, layer: any Layer)] { get }
  /// Redraws this layer's own parameters with PyTorch's default initialisation.
  func resetParameters(using generator: inout SeededGenerator)
  /// The tensor returned by the last `backward` has been consumed: hand its buffer back to the
  /// gradient pool (composites forward this to the child that produced their result).
  func releaseGradient()
  /// Takes input-gradient buffers (and scratch) from `pool` from now on (this layer only; see
  /// `attachGradientPool` for a whole model).
  func attach(_ pool: GradientPool)
  /// Whether `backward` reads the tensor the last `forward` returned. When false, the caller may
  /// overwrite that output after the forward (a residual sum adds into it in place).
  var readsOutputInBackward: Bool { get }
  /// The caller has read the tensor the last `forward` returned and nothing will read it again
  /// (its only consumer was, say, a residual sum): a layer whose backward does not read its
  /// output hands that buffer back to the pool now instead of after its backward, as PyTorch
  /// frees a tensor no backward node saved. Layers that keep their output do nothing.
  func releaseConsumedOutput()
}

extension Layer {
  public func backward(_ gradOutput: Tensor, mayOverwrite: Bool) -> Tensor { backward(gradOutput) }
  public func macs(for inputShape: [Int]) -> Int { 0 }
  public func localState() -> [(name: String, entry: StateEntry)] { [] }
  public var children: [(name: String, layer: any Layer)] { [] }
  public func resetParameters(using generator: inout SeededGenerator) {}
  public func releaseGradient() {}
  public func attach(_ pool: GradientPool) {}
  /// Conservative: a layer must say so to let its output be overwritten.
  public var readsOutputInBackward: Bool { true }
  public func releaseConsumedOutput() {}
}

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

/// A shape that a layer cannot accept.
public struct ShapeError: Error, CustomStringConvertible, Equatable {
  /// The layer's type and configuration, e.g. "Conv2d(64→128, 3×3, stride 2)".
  public var layer: String
  /// Dotted path of the layer inside its model ("layer1.0.conv1"), filled in by composites.
  public var path: String = ""
  public var expected: String
  public var actual: [Int]

  public init(layer: String, expected: String, actual: [Int]) {
    self.layer = layer
    self.expected = expected
    self.actual = actual
  }

  /// The same error one level up: `name` is the child's name inside the composite reporting it.
  public func at(_ name: String) -> ShapeError {
    var copy = self
    copy.path = joinName(name, path)
    return copy
  }

  public var description: String {
    let location = path.isEmpty ? layer : "\(path) (\(layer))"
    return "shape mismatch in \(location): expected \(expected), got \(actual)"
  }
}
