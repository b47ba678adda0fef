import Kernels

/// Named layers applied in order, as `torch.nn.Sequential`: forward in order, backward in
/// reverse. Children are named "0", "1", … by default, or explicitly ("conv1", "bn1", …) so
/// parameters read as torchvision's (`layer1.0.conv1.weight`).
public final class Sequential: Layer {
  public let layers: [(name: String, layer: any Layer)]
  /// The child whose buffer the last `backward` returned (nil: the caller's own tensor).
  private var resultOwner: (any Layer)?

  /// Layers named by position: "0", "1", …
  public convenience init(_ layers: [any Layer]) {
    self.init(named: layers.enumerated().map { (String($0.offset), $0.element) })
  }

  /// Layers named by position: "0", "1", …
  public convenience init(_ layers: any Layer...) {
    self.init(layers)
  }

  /// Layers under explicit names, which must be distinct.
  public init(named layers: [(String, any Layer)]) {
    let names = layers.map(\.0)
    precondition(Set(names).count == names.count, "Sequential: duplicate child names in \(names)")
    self.layers = layers.map { (name: $0.0, layer: $0.1) }
    fuseBatchNormActivations()
  }

  /// Lets each batch norm apply the in-place ReLU/ReLU6 right after it (`BatchNorm2d.fuse`):
  /// nothing can read the batch norm's own output in between, since the activation overwrites it.
  private func fuseBatchNormActivations() {
    for (first, second) in zip(layers, layers.dropFirst()) {
      if let norm = first.layer as? BatchNorm2d, let relu = second.layer as? ReLU,
         relu.canBeTakenOver, norm.activation == nil {
        norm.fuse(relu)
      }
    }
  }

  public var children: [(name: String, layer: any Layer)] { layers }

  /// Chains the children's shapes; an error is re-thrown with the failing child's name.
  public func outputShape(for inputShape: [Int]) throws(ShapeError) -> [Int] {
    var shape = inputShape
    for (name, layer) in layers {
      do { shape = try layer.outputShape(for: shape) } catch { throw error.at(name) }
    }
    return shape
  }

  /// - input: the first child's input → output: the last child's output
  public func forward(_ input: Tensor, mode: Mode) -> Tensor {
    layers.reduce(input) { x, child in child.layer.forward(x, mode: mode) }
  }

  /// - gradOutput: the last child's output shape → gradient w.r.t. the first child's input
  ///
  /// Each child's gradient is handed back to the pool as soon as the child before it has
  /// consumed it; identity children (probes, views) pass a gradient on without owning it.
  public func backward(_ gradOutput: Tensor) -> Tensor { backward(gradOutput, mayOverwrite: false) }

  /// A gradient a child produced is read by the next child only, which may therefore overwrite
  /// it; the incoming one only if our caller allows.
  public func backward(_ gradOutput: Tensor, mayOverwrite: Bool) -> Tensor {
    var gradient = gradOutput
    var owner: (any Layer)?
    var overwritable = mayOverwrite
    for (_, child) in layers.reversed() {
      let next = child.backward(gradient, mayOverwrite: overwritable)
      if !next.sharesStorage(with: gradient) {
        owner?.releaseGradient()
        owner = child
        overwritable = true
      }
      gradient = next
    }
    resultOwner = owner
    return gradient
  }

  /// Hands the returned gradient's buffer (its producing child's) back to the pool.
  public func releaseGradient() {
    resultOwner?.releaseGradient()
    resultOwner = nil
  }

  /// The last layer's output is this block's output.
  public var readsOutputInBackward: Bool { layers.last?.layer.readsOutputInBackward ?? true }
  public func releaseConsumedOutput() { layers.last?.layer.releaseConsumedOutput() }

  /// The children's MACs along the chain of shapes (stops at the first shape that fails).
  public func macs(for inputShape: [Int]) -> Int {
    var shape = inputShape, total = 0
    for (_, layer) in layers {
      total += layer.macs(for: shape)
      guard let next = try? layer.outputShape(for: shape) else { break }
      shape = next
    }
    return total
  }
}
