import Kernels

/// A residual block: out = post(main(x) + shortcut(x)), the shortcut being the identity or a
/// projection (torchvision's `downsample`), `post` an optional activation (torchvision's final
/// `relu`).
///
/// `main`'s children are merged into the block's own namespace (child name ""), so a block whose
/// main branch is `Sequential(named: [("conv1", …), ("bn1", …), …])` reads as torchvision's
/// `layer1.0.conv1.weight`, `layer1.0.downsample.0.weight`.
public final class Residual: Layer {
  public let main: any Layer
  public let shortcut: (any Layer)?
  public let post: (any Layer)?
  private let shortcutName: String
  private let postName: String
  /// `post`'s leading in-place ReLU/ReLU6, which the sum applies in its own pass (one read and
  /// write of the block's output fewer); the ReLU then only records it and still does its backward.
  private let activationOfSum: ClampedActivation?

  private var sum = ActivationBuffer()
  private var gradient = GradientBuffer()
  /// The last backward returned main's input gradient (with the shortcut's added in place), so
  /// releasing the result is main's to do.
  private var resultIsMainGradient = false

  /// - shortcut: nil for the identity; named `shortcutName` ("downsample") otherwise.
  /// - post: applied after the sum, named `postName` ("relu").
  public init(
    main: any Layer, shortcut: (any Layer)? = nil, shortcutName: String = "downsample",
    post: (any Layer)? = nil, postName: String = "relu"
  ) {
    self.main = main
    self.shortcut = shortcut
    self.post = post
    self.shortcutName = shortcutName
    self.postName = postName
    var leading = post
    while let sequential = leading as? Sequential { leading = sequential.layers.first?.layer }
    if let relu = leading as? ReLU, relu.canBeTakenOver {
      relu.isAppliedBySum = true
      activationOfSum = relu.clampedActivation
    } else {
      activationOfSum = nil
    }
  }

  /// torchvision's registration order: the main branch's layers, `relu`, then `downsample`.
  public var children: [(name: String, layer: any Layer)] {
    var result: [(name: String, layer: any Layer)] = [("", main)]
    if let post { result.append((postName, post)) }
    if let shortcut { result.append((shortcutName, shortcut)) }
    return result
  }

  public func outputShape(for inputShape: [Int]) throws(ShapeError) -> [Int] {
    let mainShape = try main.outputShape(for: inputShape)  // merged: its errors carry their own path
    let shortcutShape = try shortcutOutputShape(for: inputShape)
    guard mainShape == shortcutShape else {
      throw ShapeError(layer: "Residual",
                       expected: "shortcut output equal to the main branch's output \(mainShape)",
                       actual: shortcutShape)
    }
    guard let post else { return mainShape }
    do { return try post.outputShape(for: mainShape) } catch { throw error.at(postName) }
  }

  /// - input: x → output: post(main(x) + shortcut(x)), main's output shape
  public func forward(_ input: Tensor, mode: Mode) -> Tensor {
    let mainOutput = main.forward(input, mode: mode)
    let shortcutOutput = shortcut?.forward(input, mode: mode) ?? input
    precondition(mainOutput.shape == shortcutOutput.shape, ShapeError(
      layer: "Residual", expected: "shortcut output equal to the main branch's output \(mainOutput.shape)",
      actual: shortcutOutput.shape).description)
    // Into main's output when its last layer (a batch-norm, in every network here) does not read
    // it in backward, as torchvision's `out += identity`: one activation less per block. Otherwise
    // our own buffer.
    let joined: Tensor
    if main.readsOutputInBackward {
      joined = sum.take(mainOutput.shape)
    } else {
      joined = mainOutput
    }
    elementwiseAdd(mainOutput.pointer, shortcutOutput.pointer, into: joined.pointer, count: joined.count,
                   activation: activationOfSum)
    // The sum was the projection's only reader (its batch-norm's backward reads its input): its
    // buffer can serve the next layers now.
    shortcut?.releaseConsumedOutput()
    return post?.forward(joined, mode: mode) ?? joined
  }

  /// The sum's gradient goes down both branches; their input gradients add up, into main's
  /// buffer: a downsampling block's backward then needs two gradients of its (larger) input
  /// size at once instead of three, and those are the buffers the pool cannot serve from the
  /// smaller activations already freed.
  ///
  /// - gradOutput: the output's shape → gradient w.r.t. x
  public func backward(_ gradOutput: Tensor) -> Tensor { backward(gradOutput, mayOverwrite: false) }

  /// `mayOverwrite` goes to `post` alone: the sum's gradient is read by both branches.
  public func backward(_ gradOutput: Tensor, mayOverwrite: Bool) -> Tensor {
    let gradSum = post?.backward(gradOutput, mayOverwrite: mayOverwrite) ?? gradOutput
    let gradMain = main.backward(gradSum)
    let gradShortcut = shortcut?.backward(gradSum) ?? gradSum
    precondition(gradMain.shape == gradShortcut.shape,
                 "Residual.backward: branch gradients \(gradMain.shape) and \(gradShortcut.shape) differ")
    // Main's gradient is its own fresh buffer in every network here; should a main branch ever
    // hand back storage that the shortcut or the caller also holds, sum into our own buffer.
    resultIsMainGradient = !gradMain.sharesStorage(with: gradShortcut) && !gradMain.sharesStorage(with: gradOutput)
    let dx = resultIsMainGradient ? gradMain : gradient.take(gradMain.shape)
    elementwiseAdd(gradMain.pointer, gradShortcut.pointer, into: dx.pointer, count: dx.count)
    // The shortcut's gradient and the activation are consumed: their buffers can serve the next
    // layers (main's too, unless it is the result).
    if !resultIsMainGradient { main.releaseGradient() }
    shortcut?.releaseGradient()
    post?.releaseGradient()
    sum.releaseAfterBackward()
    return dx
  }

  /// Hands the last input gradient's buffer back to the model's pool.
  public func releaseGradient() {
    if resultIsMainGradient {
      main.releaseGradient()
      resultIsMainGradient = false
    } else {
      gradient.release()
    }
  }
  public func attach(_ pool: GradientPool) {
    gradient.attach(pool)
    sum.attach(pool)
  }

  /// Both branches and the activation (the addition itself multiplies nothing).
  public func macs(for inputShape: [Int]) -> Int {
    let mainShape = (try? main.outputShape(for: inputShape)) ?? inputShape
    return main.macs(for: inputShape) + (shortcut?.macs(for: inputShape) ?? 0)
      + (post?.macs(for: mainShape) ?? 0)
  }

  private func shortcutOutputShape(for inputShape: [Int]) throws(ShapeError) -> [Int] {
    guard let shortcut else { return inputShape }
    do { return try shortcut.outputShape(for: inputShape) } catch { throw error.at(shortcutName) }
  }
}
