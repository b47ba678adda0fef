import Kernels

/// The cosine heads of Table VI: logits against L2-normalised class vectors, no bias.
///
/// * `.featureNorm`: the authors' `CosineLinear`, AM-Softmax's head. z_bj = clamp(cosθ_bj, −1, 1)·‖x_b‖,
///   i.e. x_b·ŵ_j with the feature norm kept.
/// * `.unit`: the authors' `ArcfaceLinear`. c_bj = clamp(x_b·ŵ_j, −1, 1) for an input that is
///   already L2-normalised (put an `L2Normalize` in front).
///
/// `weight` is [outFeatures, inFeatures] like `Linear`'s, one class vector per row, so the
/// checkpoint entry has the shape of torchvision's `fc.weight`. (The authors store the transpose,
/// [in, out], and normalise its columns: the same vectors.) The row normalisation is part of the
/// forward pass: the optimiser updates the raw weight, and its gradient is chained through
/// ŵ = w/‖w‖. A zero row gives logits 0 and a zero gradient (no NaN).
public final class CosineLinear: Layer {
  public let inFeatures, outFeatures: Int
  public let bound: CosineBound
  public let weight: Parameter

  private var input: Tensor?
  private var output: Tensor?
  private var raw: Tensor?
  private var bounds: Tensor?
  private let unitWeight: Tensor
  private let weightNorms: Tensor
  private let gradUnitWeight: Tensor
  private var maskedGrad: Tensor?
  private var gradient = GradientBuffer()

  public init(inFeatures: Int, outFeatures: Int, bound: CosineBound) {
    precondition(inFeatures >= 1 && outFeatures >= 1,
                 "CosineLinear: features \(inFeatures) → \(outFeatures) must be positive")
    self.inFeatures = inFeatures
    self.outFeatures = outFeatures
    self.bound = bound
    weight = Parameter(zeros: [outFeatures, inFeatures])
    unitWeight = Tensor(zeros: [outFeatures, inFeatures])
    weightNorms = Tensor(zeros: [outFeatures])
    gradUnitWeight = Tensor(zeros: [outFeatures, inFeatures])
  }

  private var name: String { "CosineLinear(\(inFeatures)→\(outFeatures), \(bound == .unit ? "cosθ" : "cosθ·‖x‖"))" }

  public func outputShape(for inputShape: [Int]) throws(ShapeError) -> [Int] {
    guard inputShape.count == 2, inputShape[1] == inFeatures else {
      throw ShapeError(layer: name, expected: "[n, \(inFeatures)]", actual: inputShape)
    }
    return [inputShape[0], outFeatures]
  }

  /// - input: [n, inFeatures] → logits [n, outFeatures]
  public func forward(_ input: Tensor, mode: Mode) -> Tensor {
    let shape: [Int]
    do { shape = try outputShape(for: input.shape) } catch { preconditionFailure(error.description) }
    let rows = input.shape[0]
    let out = Tensor.reusing(output, shape: shape)
    let rawLogits = Tensor.reusing(raw, shape: shape)
    let rowBounds = Tensor.reusing(bounds, shape: [rows])
    (output, raw, bounds, self.input) = (out, rawLogits, rowBounds, input)
    l2NormalizeRowsForward(input: weight.value.pointer, output: unitWeight.pointer, norms: weightNorms.pointer,
                           rows: outFeatures, features: inFeatures)
    cosineLogitsForward(input: input.pointer, unitWeight: unitWeight.pointer, raw: rawLogits.pointer,
                        output: out.pointer, bounds: rowBounds.pointer, rows: rows,
                        inFeatures: inFeatures, outFeatures: outFeatures, bound: bound)
    return out
  }

  public func releaseGradient() { gradient.release() }
  public func attach(_ pool: GradientPool) { gradient.attach(pool) }
  public var readsOutputInBackward: Bool { false }

  /// Accumulates into `weight.grad` (through the row normalisation).
  /// - gradOutput: [n, outFeatures] → gradient w.r.t. the input: [n, inFeatures]
  public func backward(_ gradOutput: Tensor) -> Tensor {
    guard let input, let raw, let bounds else { preconditionFailure("CosineLinear.backward called before forward") }
    precondition(gradOutput.shape == raw.shape,
                 "CosineLinear.backward: gradient \(gradOutput.shape) for output \(raw.shape)")
    let scratch = Tensor.reusing(maskedGrad, shape: raw.shape)
    maskedGrad = scratch
    let dx = gradient.take(input.shape)
    cosineLogitsBackward(input: input.pointer, unitWeight: unitWeight.pointer, raw: raw.pointer,
                         bounds: bounds.pointer, gradOutput: gradOutput.pointer, maskedGrad: scratch.pointer,
                         gradUnitWeight: gradUnitWeight.pointer, gradInput: dx.pointer, rows: input.shape[0],
                         inFeatures: inFeatures, outFeatures: outFeatures, bound: bound)
    l2NormalizeRowsBackward(output: unitWeight.pointer, norms: weightNorms.pointer, gradOutput: gradUnitWeight.pointer,
                            gradInput: weight.grad.pointer, rows: outFeatures, features: inFeatures, accumulate: true)
    return dx
  }

  public func macs(for inputShape: [Int]) -> Int { (inputShape.first ?? 0) * inFeatures * outFeatures }

  public func localState() -> [(name: String, entry: StateEntry)] { [("weight", .parameter(weight))] }

  /// The authors' initialisation: `uniform_(-1, 1).renorm_(2, 1, 1e-5).mul_(1e5)`, i.e. U(−1, 1)
  /// entries and then every class vector scaled to unit norm; drawn row-major.
  public func resetParameters(using generator: inout SeededGenerator) {
    for i in 0..<weight.value.count { weight.value[i] = generator.nextFloat(in: -1, 1) }
    l2NormalizeRowsForward(input: weight.value.pointer, output: unitWeight.pointer, norms: weightNorms.pointer,
                           rows: outFeatures, features: inFeatures)
    weight.value.assign(unitWeight)
  }
}
