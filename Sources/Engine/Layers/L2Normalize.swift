import Kernels

/// Scales every row of [n, features] to unit L2 norm: x̂ = x / ‖x‖.
///
/// ArcFace's head expects a normalised embedding and leaves that to its caller (InsightFace's
/// `l2_norm` before `Arcface`; mfd-reference.md §4); this layer is that step, explicit in the
/// network. A zero row stays zero and passes a zero gradient (the authors' division would give
/// NaN; see `l2NormalizeZeroNorm`). No parameters.
public final class L2Normalize: Layer {
  private var output: Tensor?
  private var norms: Tensor?
  private var gradient = GradientBuffer()

  public init() {}

  public func outputShape(for inputShape: [Int]) throws(ShapeError) -> [Int] {
    guard inputShape.count == 2, inputShape.allSatisfy({ $0 >= 1 }) else {
      throw ShapeError(layer: "L2Normalize", expected: "[n, features]", actual: inputShape)
    }
    return inputShape
  }

  /// - input: [n, features] → output: [n, features], unit rows (or zero rows)
  public func forward(_ input: Tensor, mode: Mode) -> Tensor {
    do { _ = try outputShape(for: input.shape) } catch { preconditionFailure(error.description) }
    let out = Tensor.reusing(output, shape: input.shape)
    let rowNorms = Tensor.reusing(norms, shape: [input.shape[0]])
    output = out
    norms = rowNorms
    l2NormalizeRowsForward(input: input.pointer, output: out.pointer, norms: rowNorms.pointer,
                           rows: input.shape[0], features: input.shape[1])
    return out
  }

  public func releaseGradient() { gradient.release() }
  public func attach(_ pool: GradientPool) { gradient.attach(pool) }

  /// - gradOutput: [n, features] → (g − (g·x̂)x̂)/‖x‖ per row, 0 for a zero row
  public func backward(_ gradOutput: Tensor) -> Tensor {
    guard let output, let norms else { preconditionFailure("L2Normalize.backward called before forward") }
    precondition(gradOutput.shape == output.shape,
                 "L2Normalize.backward: gradient \(gradOutput.shape) for output \(output.shape)")
    let dx = gradient.take(output.shape)
    l2NormalizeRowsBackward(output: output.pointer, norms: norms.pointer, gradOutput: gradOutput.pointer,
                            gradInput: dx.pointer, rows: output.shape[0], features: output.shape[1])
    return dx
  }
}
