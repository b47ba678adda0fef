import Kernels

/// Average pooling to a fixed output size, as `torch.nn.AdaptiveAvgPool2d((height, width))`:
/// output row i averages input rows [⌊i·H/height⌋, ⌈(i+1)·H/height⌉), likewise for columns.
/// The (1, 1) case, every classifier head's global average, takes a fast path.
public final class AdaptiveAvgPool2d: Layer {
  public let outputHeight, outputWidth: Int

  private var inputShape: [Int] = []
  private var output: Tensor?
  private var gradient = GradientBuffer()

  public init(outputHeight: Int, outputWidth: Int) {
    precondition(outputHeight >= 1 && outputWidth >= 1,
                 "AdaptiveAvgPool2d: output size \(outputHeight)×\(outputWidth) must be positive")
    self.outputHeight = outputHeight
    self.outputWidth = outputWidth
  }

  /// A square output, e.g. `AdaptiveAvgPool2d(outputSize: 1)` for global average pooling.
  public convenience init(outputSize: Int) {
    self.init(outputHeight: outputSize, outputWidth: outputSize)
  }

  public func outputShape(for inputShape: [Int]) throws(ShapeError) -> [Int] {
    guard inputShape.count == 4, inputShape[2] >= 1, inputShape[3] >= 1 else {
      throw ShapeError(layer: "AdaptiveAvgPool2d", expected: "[n, c, h, w] with h, w ≥ 1", actual: inputShape)
    }
    return [inputShape[0], inputShape[1], outputHeight, outputWidth]
  }

  /// - input: [n, c, h, w] → output: [n, c, outputHeight, outputWidth]
  public func forward(_ input: Tensor, mode: Mode) -> Tensor {
    let shape: [Int]
    do { shape = try outputShape(for: input.shape) } catch { preconditionFailure(error.description) }
    let out = Tensor.reusing(output, shape: shape)
    output = out
    inputShape = input.shape
    adaptiveAvgPool2dForward(
      input: input.pointer, output: out.pointer, planes: input.n * input.c,
      inputHeight: input.h, inputWidth: input.w, outputHeight: outputHeight, outputWidth: outputWidth)
    return out
  }

  /// Hands the last input gradient's buffer back to the model's pool.
  public func releaseGradient() { gradient.release() }
  public func attach(_ pool: GradientPool) { gradient.attach(pool) }

  /// - gradOutput: [n, c, outputHeight, outputWidth] → gradient w.r.t. the input: [n, c, h, w]
  public func backward(_ gradOutput: Tensor) -> Tensor {
    guard let output else { preconditionFailure("AdaptiveAvgPool2d.backward called before forward") }
    precondition(gradOutput.shape == output.shape,
                 "AdaptiveAvgPool2d.backward: gradient \(gradOutput.shape) for output \(output.shape)")
    let dx = gradient.take(inputShape)
    adaptiveAvgPool2dBackward(
      gradOutput: gradOutput.pointer, gradInput: dx.pointer, planes: inputShape[0] * inputShape[1],
      inputHeight: inputShape[2], inputWidth: inputShape[3],
      outputHeight: outputHeight, outputWidth: outputWidth)
    return dx
  }
}
