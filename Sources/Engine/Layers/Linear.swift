import Kernels

/// Fully connected layer, as `torch.nn.Linear(inFeatures, outFeatures, bias)`:
/// y = x·Wᵀ + b, with `weight` [outFeatures, inFeatures] and `bias` [outFeatures].
public final class Linear: Layer {
  public let inFeatures, outFeatures: Int
  public let weight: Parameter
  public let bias: Parameter?

  private var input: Tensor?
  private var output: Tensor?
  private var gradient = GradientBuffer()

  public init(inFeatures: Int, outFeatures: Int, bias: Bool = true) {
    precondition(inFeatures >= 1 && outFeatures >= 1,
                 "Linear: features \(inFeatures) → \(outFeatures) must be positive")
    self.inFeatures = inFeatures
    self.outFeatures = outFeatures
    weight = Parameter(zeros: [outFeatures, inFeatures])
    self.bias = bias ? Parameter(zeros: [outFeatures]) : nil
  }

  /// Any leading dimensions, as PyTorch: [*, inFeatures] → [*, outFeatures].
  public func outputShape(for inputShape: [Int]) throws(ShapeError) -> [Int] {
    guard let last = inputShape.last, last == inFeatures else {
      throw ShapeError(layer: "Linear", expected: "[*, \(inFeatures)]", actual: inputShape)
    }
    return inputShape.dropLast() + [outFeatures]
  }

  /// - input: [*, inFeatures] → output: [*, outFeatures]
  public func forward(_ input: Tensor, mode: Mode) -> Tensor {
    let shape: [Int]
    do { shape = try outputShape(for: input.shape) } catch { preconditionFailure(error.description) }
    let out = Tensor.reusing(output, shape: shape)
    output = out
    self.input = input
    linearForward(input: input.pointer, weight: weight.value.pointer, bias: bias?.value.pointer,
                  output: out.pointer, rows: input.count / inFeatures,
                  inFeatures: inFeatures, outFeatures: outFeatures)
    return out
  }

  /// Hands the last input gradient's buffer back to the model's pool.
  public func releaseGradient() { gradient.release() }
  public func attach(_ pool: GradientPool) { gradient.attach(pool) }
  /// Backward needs the input, not the output.
  public var readsOutputInBackward: Bool { false }

  /// Accumulates into `weight.grad` and `bias.grad`.
  ///
  /// - gradOutput: [*, outFeatures] → gradient w.r.t. the input: [*, inFeatures]
  public func backward(_ gradOutput: Tensor) -> Tensor {
    guard let input, let output else { preconditionFailure("Linear.backward called before forward") }
    precondition(gradOutput.shape == output.shape,
                 "Linear.backward: gradient \(gradOutput.shape) for output \(output.shape)")
    let dx = gradient.take(input.shape)
    linearBackward(input: input.pointer, weight: weight.value.pointer, gradOutput: gradOutput.pointer,
                   gradWeight: weight.grad.pointer, gradBias: bias?.grad.pointer,
                   gradInput: dx.pointer, rows: input.count / inFeatures,
                   inFeatures: inFeatures, outFeatures: outFeatures)
    return dx
  }

  public func macs(for inputShape: [Int]) -> Int {
    (inputShape.reduce(1, *) / inFeatures) * inFeatures * outFeatures
  }

  public func localState() -> [(name: String, entry: StateEntry)] {
    [("weight", .parameter(weight))] + (bias.map { [("bias", .parameter($0))] } ?? [])
  }

  /// PyTorch's default: kaiming_uniform(a = √5) for W, which is U(−1/√in, 1/√in), then the
  /// same bound for b; weight drawn first, row-major.
  public func resetParameters(using generator: inout SeededGenerator) {
    let bound = 1 / Float(inFeatures).squareRoot()
    for i in 0..<weight.value.count { weight.value[i] = generator.nextFloat(in: -bound, bound) }
    if let bias {
      for i in 0..<bias.value.count { bias.value[i] = generator.nextFloat(in: -bound, bound) }
    }
  }
}
