import Kernels

/// Inverted dropout as `nn.Dropout`: in training, each element is zeroed with probability p and
/// the survivors scaled by 1/(1−p); in eval, the identity. The mask comes from the layer's own
/// seeded stream, so one run seed fixes it.
public final class Dropout: Layer {
  public let probability: Float
  private var generator: SeededGenerator
  private var mask: Tensor?
  private var output: Tensor?
  private var gradient = GradientBuffer()

  /// - probability: in [0, 1).
  public init(probability: Float, seed: UInt64 = 0) {
    precondition(probability >= 0 && probability < 1, "dropout probability must be in [0, 1), got \(probability)")
    self.probability = probability
    self.generator = SeededGenerator(seed: seed, stream: [SeededGenerator.label("dropout")])
  }

  public func outputShape(for inputShape: [Int]) throws(ShapeError) -> [Int] { inputShape }

  /// Re-seeds the mask stream from the model's initialisation stream.
  public func resetParameters(using generator: inout SeededGenerator) {
    self.generator = SeededGenerator(seed: generator.next(), stream: [SeededGenerator.label("dropout")])
  }

  /// - input: any shape → same shape.
  public func forward(_ input: Tensor, mode: Mode) -> Tensor {
    guard mode == .train, probability > 0 else {
      mask = nil
      return input
    }
    let m = Tensor.reusing(mask, shape: input.shape), out = Tensor.reusing(output, shape: input.shape)
    mask = m
    output = out
    let keep = 1 / (1 - probability)
    for i in 0..<input.count {
      let scale: Float = generator.nextUnitFloat() < probability ? 0 : keep
      m[i] = scale
      out[i] = input[i] * scale
    }
    return out
  }

  /// Hands the last input gradient's buffer back to the model's pool.
  public func releaseGradient() { gradient.release() }
  public func attach(_ pool: GradientPool) { gradient.attach(pool) }

  public func backward(_ gradOutput: Tensor) -> Tensor {
    guard let m = mask else { return gradOutput }
    let dx = gradient.take(gradOutput.shape)
    for i in 0..<dx.count { dx[i] = gradOutput[i] * m[i] }
    return dx
  }
}
