import Kernels

/// DenseNet's dense layer: out = cat([x, inner(x)], channel axis), so every layer sees all the
/// features before it. `inner`'s children are merged into this layer's namespace (child name
/// ""), reading as torchvision's `features.denseblock1.denselayer1.norm1.weight`.
public final class DenseConcat: Layer {
  public let inner: any Layer

  private var inputShape: [Int] = []
  private var innerShape: [Int] = []
  private var output = ActivationBuffer()
  private var outputShape: [Int] = []
  private var gradient = GradientBuffer()
  private var gradInner = GradientBuffer()
  /// Whether the last `backward` returned inner's own gradient buffer (summed into in place).
  private var resultIsInnerGradient = false

  public init(_ inner: any Layer) {
    self.inner = inner
  }

  public var children: [(name: String, layer: any Layer)] { [("", inner)] }

  public func outputShape(for inputShape: [Int]) throws(ShapeError) -> [Int] {
    guard inputShape.count == 4 else {
      throw ShapeError(layer: "DenseConcat", expected: "[n, c, h, w]", actual: inputShape)
    }
    let innerShape = try inner.outputShape(for: inputShape)
    try Self.checkJoinable(input: inputShape, inner: innerShape)
    return [inputShape[0], inputShape[1] + innerShape[1], inputShape[2], inputShape[3]]
  }

  /// - input: [n, c, h, w] → output: [n, c + c', h, w] where inner(x) is [n, c', h, w]
  public func forward(_ input: Tensor, mode: Mode) -> Tensor {
    let new = inner.forward(input, mode: mode)
    do { try Self.checkJoinable(input: input.shape, inner: new.shape) } catch {
      preconditionFailure(error.description)
    }
    inputShape = input.shape
    innerShape = new.shape
    let out = output.take([input.n, input.c + new.c, input.h, input.w])
    outputShape = out.shape
    concatenateChannels(first: input.pointer, firstChannels: input.c, second: new.pointer,
                        secondChannels: new.c, output: out.pointer, n: input.n,
                        spatial: input.h * input.w)
    return out
  }

  /// Splits the gradient: the last channels go through `inner`, and the first ones, which pass
  /// straight to x, are added to inner's input gradient, in inner's own buffer when it is one
  /// (as PyTorch's `cat` backward hands out views and autograd adds them): no copy of the
  /// pass-through part and no second x-sized buffer.
  ///
  /// - gradOutput: [n, c + c', h, w] → gradient w.r.t. x: [n, c, h, w]
  public func backward(_ gradOutput: Tensor) -> Tensor {
    precondition(!outputShape.isEmpty, "DenseConcat.backward called before forward")
    output.checkAvailable("DenseConcat")
    precondition(gradOutput.shape == outputShape,
                 "DenseConcat.backward: gradient \(gradOutput.shape) for output \(outputShape)")
    let (n, channels, spatial) = (inputShape[0], outputShape[1], inputShape[2] * inputShape[3])
    let passThrough = 0..<inputShape[1]
    let dNew = gradInner.take(innerShape)
    sliceChannels(gradOutput.pointer, totalChannels: channels, channels: passThrough.upperBound..<channels,
                  into: dNew.pointer, n: n, spatial: spatial)
    // Nothing reads dNew after inner's backward: it may be overwritten.
    let dInner = inner.backward(dNew, mayOverwrite: true)
    resultIsInnerGradient = !dInner.sharesStorage(with: dNew) && !dInner.sharesStorage(with: gradOutput)
    let dx: Tensor
    if resultIsInnerGradient {
      dx = dInner
    } else {
      dx = gradient.take(inputShape)
      dx.pointer.update(from: dInner.pointer, count: dx.count)
      inner.releaseGradient()
    }
    sliceChannels(gradOutput.pointer, totalChannels: channels, channels: passThrough, into: dx.pointer,
                  accumulating: true, n: n, spatial: spatial)
    gradInner.release()
    output.releaseAfterBackward()
    return dx
  }

  /// Hands the last input gradient's buffer back to the model's pool (inner's, when the result
  /// was summed into it).
  public func releaseGradient() {
    if resultIsInnerGradient {
      inner.releaseGradient()
      resultIsInnerGradient = false
    } else {
      gradient.release()
    }
  }
  public func attach(_ pool: GradientPool) {
    gradient.attach(pool)
    gradInner.attach(pool)
    output.attach(pool)
  }

  public func macs(for inputShape: [Int]) -> Int { inner.macs(for: inputShape) }

  /// inner(x) must keep x's batch and spatial size to be concatenated along the channels.
  private static func checkJoinable(input: [Int], inner: [Int]) throws(ShapeError) {
    guard inner.count == 4, inner[0] == input[0], inner[2] == input[2], inner[3] == input[3] else {
      throw ShapeError(layer: "DenseConcat",
                       expected: "inner output [\(input[0]), c', \(input[2]), \(input[3])] to concatenate with input \(input)",
                       actual: inner)
    }
  }
}
