import Kernels

/// Attaches Wen et al.'s center loss to the penultimate embedding: an identity in the forward
/// pass whose backward adds λ_c·dL_C/dx = λ_c·(x_b − c_{y_b})/B, with
/// L_C = ½·(1/B)·Σ_b ‖x_b − c_{y_b}‖² (see CenterLoss.swift for the exact rule and how it differs
/// from the common PyTorch port).
///
/// The loss needs the batch's labels, which a layer does not see: the training step hands them
/// over with `prepare(labels:)` before each train-mode forward, and calls `updateCenters()` after
/// the backward pass (Wen et al.'s update c_j ← c_j − α·Δc_j from that batch's embeddings). The
/// centres are a buffer, not a parameter: SGD and weight decay never touch them, and they are
/// saved in checkpoints as `<path>.centers` [classes, dims], zero-initialised (our choice; Wen et
/// al.'s update moves a class's centre towards its embeddings from the first batch it is in).
public final class CenterLossTap: Layer {
  public static let defaultLambda: Float = 0.003
  public static let defaultAlpha: Float = 0.5

  /// λ_c: weight of the center loss in the total loss.
  public let lambda: Float
  /// α: the centres' update rate.
  public let alpha: Float
  public let classes: Int
  public let dims: Int
  /// [classes, dims]
  public let centers: Tensor

  /// Unweighted L_C of the last train-mode forward.
  public private(set) var lastLoss: Float?

  private var labels: [Int32] = []
  private var input: Tensor?
  private var gradient = GradientBuffer()

  /// Wen et al.'s face setting is λ_c = 0.003, α = 0.5 (mfd-reference.md §4, from memory of that
  /// paper; the MFD paper gives neither).
  public init(classes: Int, dims: Int, lambda: Float = CenterLossTap.defaultLambda,
              alpha: Float = CenterLossTap.defaultAlpha) {
    precondition(classes >= 1 && dims >= 1, "CenterLossTap: \(classes) classes of \(dims) dims")
    self.classes = classes
    self.dims = dims
    self.lambda = lambda
    self.alpha = alpha
    centers = Tensor(zeros: [classes, dims])
  }

  /// λ_c·L_C of the last train-mode forward: this tap's term of the total loss.
  public var lastWeightedLoss: Float? { lastLoss.map { lambda * $0 } }

  /// The labels of the next train-mode forward.
  /// - throws: `LabelOutOfRangeError` for the first label outside 0..<classes (nothing is kept).
  public func prepare(labels: [Int32]) throws(LabelOutOfRangeError) {
    let classes = self.classes
    try labels.withUnsafeBufferPointer { (pointer) throws(LabelOutOfRangeError) in
      try validateLabels(pointer.baseAddress!, batch: pointer.count, classes: classes)
    }
    self.labels = labels
  }

  public func outputShape(for inputShape: [Int]) throws(ShapeError) -> [Int] {
    guard inputShape.count == 2, inputShape[1] == dims else {
      throw ShapeError(layer: "CenterLossTap(\(classes) centres of \(dims))", expected: "[n, \(dims)]", actual: inputShape)
    }
    return inputShape
  }

  /// Returns `input` itself; in train mode computes L_C against the prepared labels.
  /// - input: [n, dims]
  public func forward(_ input: Tensor, mode: Mode) -> Tensor {
    do { _ = try outputShape(for: input.shape) } catch { preconditionFailure(error.description) }
    guard mode == .train else {
      self.input = nil
      return input
    }
    precondition(labels.count == input.shape[0],
                 "CenterLossTap: a train-mode forward of \(input.shape[0]) samples needs prepare(labels:) with as many labels (got \(labels.count))")
    self.input = input
    lastLoss = labels.withUnsafeBufferPointer { labels in
      centerLossForward(features: input.pointer, centers: centers.pointer, labels: labels.baseAddress!,
                        batch: input.shape[0], dims: dims)
    }
    return input
  }

  public func releaseGradient() { gradient.release() }
  public func attach(_ pool: GradientPool) { gradient.attach(pool) }

  /// gradOutput + λ_c·(x_b − c_{y_b})/B, in a buffer reused across steps.
  /// - gradOutput: [n, dims] as the last train-mode input
  public func backward(_ gradOutput: Tensor) -> Tensor {
    guard let input, input.shape == gradOutput.shape else {
      preconditionFailure("CenterLossTap: backward of \(gradOutput.shape) needs a train-mode forward of that shape")
    }
    let dx = gradient.take(gradOutput.shape)
    labels.withUnsafeBufferPointer { labels in
      centerLossBackward(features: input.pointer, centers: centers.pointer, labels: labels.baseAddress!,
                         lambda: lambda, gradOutput: gradOutput.pointer, gradInput: dx.pointer,
                         batch: input.shape[0], dims: dims)
    }
    return dx
  }

  /// Moves the centres of the classes in the last train-mode batch by Wen et al.'s rule (call
  /// after the backward pass, which must see the centres before the update).
  public func updateCenters() {
    guard let input else { preconditionFailure("CenterLossTap.updateCenters needs a train-mode forward") }
    labels.withUnsafeBufferPointer { labels in
      centerLossUpdateCenters(features: input.pointer, labels: labels.baseAddress!, centers: centers.pointer,
                              alpha: alpha, batch: input.shape[0], classes: classes, dims: dims)
    }
  }

  public func localState() -> [(name: String, entry: StateEntry)] { [("centers", .buffer(centers))] }

  /// Zeroes the centres (part of a network's initialisation).
  public func resetParameters(using generator: inout SeededGenerator) { centers.fill(0) }
}
