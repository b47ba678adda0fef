import Kernels

/// Stochastic gradient descent with momentum and weight decay, exactly as `torch.optim.SGD`
/// (dampening 0, no Nesterov):
///
///     g = grad + weightDecay · p          (decay on every parameter, as the authors do)
///     buf = g                    on the first step, else  buf = momentum · buf + g
///     p = p − lr · buf
public final class SGD {
  public var learningRate: Float
  public let momentum: Float
  public let weightDecay: Float
  /// The parameters in the order they were given, with their dotted names.
  public let parameters: [(name: String, parameter: Parameter)]
  /// One momentum buffer per parameter; nil until the first step, as in PyTorch.
  public private(set) var momentumBuffers: [Tensor?]

  public init(
    parameters: [(name: String, parameter: Parameter)],
    learningRate: Float, momentum: Float = 0.9, weightDecay: Float = 5e-4
  ) {
    self.parameters = parameters
    self.learningRate = learningRate
    self.momentum = momentum
    self.weightDecay = weightDecay
    self.momentumBuffers = Array(repeating: nil, count: parameters.count)
  }

  /// Applies one update from the accumulated gradients (which it leaves in place).
  public func step() {
    let (lr, mu, wd) = (learningRate, momentum, weightDecay)
    for (index, entry) in parameters.enumerated() {
      let p = entry.parameter
      let first = momentumBuffers[index] == nil
      let buffer = momentumBuffers[index] ?? Tensor(zeros: p.value.shape)
      momentumBuffers[index] = buffer
      let (value, grad, buf) = (UncheckedSendable(p.value.pointer), p.grad.pointer, buffer.pointer)
      let shared = UncheckedSendable((grad, buf))
      parallelChunks(p.value.count, minimumChunk: 1 << 14) { range in
        let (w, g, b) = (value.value, shared.value.0, shared.value.1)
        for i in range {
          let d = g[i] + wd * w[i]
          let v = first || mu == 0 ? d : mu * b[i] + d
          b[i] = v
          w[i] = w[i] - lr * v
        }
      }
    }
  }

  /// Sets every parameter gradient to zero.
  public func zeroGradients() {
    for (_, p) in parameters { p.grad.fill(0) }
  }

  /// Momentum buffers that exist, under their parameters' names (for checkpoints).
  public var namedMomentumBuffers: [(name: String, buffer: Tensor)] {
    zip(parameters, momentumBuffers).compactMap { entry, buffer in
      buffer.map { (entry.name, $0) }
    }
  }

  /// Restores momentum buffers by parameter name; names not given stay absent (first-step rule).
  /// - Throws: `OptimizerStateError` for an unknown name or a shape that differs.
  public func restoreMomentumBuffers(_ buffers: [String: Tensor]) throws(OptimizerStateError) {
    let index = Dictionary(uniqueKeysWithValues: parameters.enumerated().map { ($1.name, $0) })
    for name in buffers.keys.sorted() {
      guard let i = index[name] else { throw .unknownParameter(name) }
      let source = buffers[name]!
      let expected = parameters[i].parameter.value.shape
      guard source.shape == expected else {
        throw .shapeMismatch(name: name, expected: expected, actual: source.shape)
      }
      momentumBuffers[i] = source.copy()
    }
  }
}

/// Optimiser state that does not fit the model it is restored into.
public enum OptimizerStateError: Error, CustomStringConvertible, Equatable {
  case unknownParameter(String)
  case shapeMismatch(name: String, expected: [Int], actual: [Int])

  public var description: String {
    switch self {
    case .unknownParameter(let name):
      "momentum buffer for unknown parameter '\(name)'"
    case .shapeMismatch(let name, let expected, let actual):
      "momentum buffer '\(name)' has shape \(actual), parameter has \(expected)"
    }
  }
}
