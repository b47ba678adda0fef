import Kernels

/// Joins a prefix and a local name with a dot, omitting empty parts.
public func joinName(_ prefix: String, _ name: String) -> String {
  if prefix.isEmpty { return name }
  if name.isEmpty { return prefix }
  return prefix + "." + name
}

extension Layer {
  /// Every parameter and buffer under its full dotted name, in definition order.
  public func namedState(prefix: String = "") -> [(name: String, entry: StateEntry)] {
    var result = localState().map { (joinName(prefix, $0.name), $0.entry) }
    for (name, child) in children {
      result += child.namedState(prefix: joinName(prefix, name))
    }
    return result
  }

  /// Trainable parameters with their dotted names.
  public func namedParameters(prefix: String = "") -> [(name: String, parameter: Parameter)] {
    namedState(prefix: prefix).compactMap { item in
      if case .parameter(let p) = item.entry { return (item.name, p) }
      return nil
    }
  }

  /// This layer and every descendant, depth first, parents before children.
  public func allLayers() -> [any Layer] {
    [self] + children.flatMap { $0.layer.allLayers() }
  }

  /// Initialises every parameter from `seed` in definition order, as PyTorch's constructors do.
  public func initialise(seed: UInt64) {
    var generator = SeededGenerator(seed: seed, stream: [SeededGenerator.label("init")])
    for layer in allLayers() { layer.resetParameters(using: &generator) }
  }

  /// Makes every layer of this model take its input-gradient buffers from one shared pool, so
  /// a backward pass holds only the gradients in flight.
  public func attachGradientPool(_ pool: GradientPool = GradientPool()) {
    for layer in allLayers() { layer.attach(pool) }
  }

  /// Sets every parameter gradient to zero.
  public func zeroGradients() {
    for (_, p) in namedParameters() { p.grad.fill(0) }
  }

  /// Total number of learnable scalars.
  public var parameterCount: Int { namedParameters().reduce(0) { $0 + $1.parameter.value.count } }
}
