/// Flattens every dimension after the batch, as `torch.flatten(x, 1)`: [n, c, 1, 1] → [n, c].
///
/// Both directions are views sharing the neighbour's storage: nothing is copied, and the view
/// objects themselves are kept while the underlying buffer and shape stay the same.
public final class Flatten: Layer {
  private var inputShape: [Int] = []
  private var outputView: Tensor?
  private var gradInputView: Tensor?

  public init() {}

  public func outputShape(for inputShape: [Int]) throws(ShapeError) -> [Int] {
    guard inputShape.count >= 2 else {
      throw ShapeError(layer: "Flatten", expected: "[n, d1, …] (rank ≥ 2)", actual: inputShape)
    }
    return [inputShape[0], inputShape.dropFirst().reduce(1, *)]
  }

  /// - input: [n, d1, d2, …] → output: [n, d1·d2·…], sharing the input's storage
  public func forward(_ input: Tensor, mode: Mode) -> Tensor {
    let shape: [Int]
    do { shape = try outputShape(for: input.shape) } catch { preconditionFailure(error.description) }
    inputShape = input.shape
    let view = Flatten.view(of: input, as: shape, reusing: outputView)
    outputView = view
    return view
  }

  /// - gradOutput: [n, d1·d2·…] → gradient w.r.t. the input: [n, d1, d2, …], sharing storage
  public func backward(_ gradOutput: Tensor) -> Tensor {
    precondition(gradOutput.count == inputShape.reduce(1, *),
                 "Flatten.backward: gradient \(gradOutput.shape) for input \(inputShape)")
    let view = Flatten.view(of: gradOutput, as: inputShape, reusing: gradInputView)
    gradInputView = view
    return view
  }

  /// `tensor` viewed as `shape`; `cached` when it is already that view of the same buffer.
  private static func view(of tensor: Tensor, as shape: [Int], reusing cached: Tensor?) -> Tensor {
    if let cached, cached.pointer == tensor.pointer, cached.shape == shape { return cached }
    return tensor.reshaped(shape)
  }
}
