import Kernels

/// Batch normalisation over the channels of NCHW input, as `torch.nn.BatchNorm2d(channels)`:
/// batch statistics in training (and a momentum update of the running estimates), running
/// statistics in evaluation.
///
/// A `Sequential` fuses an in-place ReLU or ReLU6 that directly follows a batch norm into it
/// (`fuse(_:)`): the batch norm then writes the activated output and masks the gradient itself,
/// which saves the activation's pass over the tensor in each direction with the same values.
///
/// State, in torchvision's order and names: `weight` (γ, ones), `bias` (β, zeros),
/// `running_mean` (zeros), `running_var` (ones), `num_batches_tracked` (Int64, +1 per training
/// forward).
public final class BatchNorm2d: Layer {
  public let channels: Int
  public let epsilon: Float
  public let momentum: Float
  public let weight: Parameter
  public let bias: Parameter
  public let runningMean: Tensor
  public let runningVariance: Tensor
  public let batchesTracked = Counter()
  /// The activation fused into this layer's output (nil: none).
  public private(set) var activation: ClampedActivation?

  // What backward needs from the last forward.
  private var input: Tensor?
  private var lastMode = Mode.train
  private let batchMean, batchVariance, batchInverseStd: Tensor
  // Reused across steps.
  private var output = ActivationBuffer()
  private var gradient = GradientBuffer()

  /// - channels: c of the [n, c, h, w] input.
  public init(channels: Int, epsilon: Float = 1e-5, momentum: Float = 0.1) {
    self.channels = channels
    self.epsilon = epsilon
    self.momentum = momentum
    weight = Parameter(zeros: [channels])
    bias = Parameter(zeros: [channels])
    runningMean = Tensor(zeros: [channels])
    runningVariance = Tensor(zeros: [channels])
    batchMean = Tensor(zeros: [channels])
    batchVariance = Tensor(zeros: [channels])
    batchInverseStd = Tensor(zeros: [channels])
    resetStatisticsAndAffine()
  }

  public func outputShape(for inputShape: [Int]) throws(ShapeError) -> [Int] {
    guard inputShape.count == 4, inputShape[1] == channels else {
      throw ShapeError(layer: "BatchNorm2d", expected: "[n, \(channels), h, w]", actual: inputShape)
    }
    return inputShape
  }

  /// - input: [n, channels, h, w] → output: [n, channels, h, w]
  public func forward(_ input: Tensor, mode: Mode) -> Tensor {
    do { _ = try outputShape(for: input.shape) } catch { preconditionFailure(error.description) }
    let (n, spatial) = (input.n, input.h * input.w)
    let out = output.take(input.shape)
    self.input = input
    lastMode = mode
    switch mode {
    case .train:
      precondition(n * spatial > 1,
                   "BatchNorm2d expected more than 1 value per channel when training, got input \(input.shape)")
      batchNorm2dForwardTraining(
        input: input.pointer, weight: weight.value.pointer, bias: bias.value.pointer,
        output: out.pointer, mean: batchMean.pointer, variance: batchVariance.pointer,
        inverseStd: batchInverseStd.pointer, n: n, c: channels, spatial: spatial, epsilon: epsilon,
        activation: activation)
      batchNorm2dUpdateRunningStatistics(
        runningMean: runningMean.pointer, runningVariance: runningVariance.pointer,
        batchMean: batchMean.pointer, batchVariance: batchVariance.pointer,
        c: channels, count: n * spatial, momentum: momentum)
      batchesTracked.value += 1
    case .eval:
      batchNorm2dForwardEval(
        input: input.pointer, weight: weight.value.pointer, bias: bias.value.pointer,
        runningMean: runningMean.pointer, runningVariance: runningVariance.pointer,
        output: out.pointer, n: n, c: channels, spatial: spatial, epsilon: epsilon,
        activation: activation)
    }
    return out
  }

  /// Hands the last input gradient's buffer back to the model's pool.
  public func releaseGradient() { gradient.release() }
  public func attach(_ pool: GradientPool) {
    gradient.attach(pool)
    output.attach(pool)
  }
  /// Backward needs the input and the batch statistics, not the output.
  public var readsOutputInBackward: Bool { false }
  public func releaseConsumedOutput() { output.releaseConsumed() }

  /// Through the batch statistics after a training forward; through the (constant) running
  /// statistics after an eval forward.
  ///
  /// - gradOutput: [n, channels, h, w] → gradient w.r.t. the input: [n, channels, h, w]
  public func backward(_ gradOutput: Tensor) -> Tensor {
    guard let input else { preconditionFailure("BatchNorm2d.backward called before forward") }
    precondition(gradOutput.shape == input.shape,
                 "BatchNorm2d.backward: gradient \(gradOutput.shape) for output \(input.shape)")
    output.checkAvailable("BatchNorm2d(\(channels))")
    let (n, spatial) = (input.n, input.h * input.w)
    let dx = gradient.take(input.shape)
    let fused = activation.map { ($0, bias: UnsafePointer(bias.value.pointer)) }
    switch lastMode {
    case .train:
      batchNorm2dBackwardTraining(
        input: input.pointer, gradOutput: gradOutput.pointer, weight: weight.value.pointer,
        mean: batchMean.pointer, inverseStd: batchInverseStd.pointer, gradInput: dx.pointer,
        gradWeight: weight.grad.pointer, gradBias: bias.grad.pointer,
        n: n, c: channels, spatial: spatial, activation: fused)
    case .eval:
      batchNorm2dBackwardEval(
        input: input.pointer, gradOutput: gradOutput.pointer, weight: weight.value.pointer,
        runningMean: runningMean.pointer, runningVariance: runningVariance.pointer,
        gradInput: dx.pointer, gradWeight: weight.grad.pointer, gradBias: bias.grad.pointer,
        n: n, c: channels, spatial: spatial, epsilon: epsilon, activation: fused)
    }
    output.releaseAfterBackward()
    return dx
  }

  /// Takes over `relu`, which must come right after this layer and overwrite its input: from now
  /// on this layer applies the activation and `relu` passes tensors through. Called before the
  /// first forward pass (by `Sequential.init`).
  func fuse(_ relu: ReLU) {
    precondition(activation == nil && relu.canBeTakenOver,
                 "BatchNorm2d.fuse: needs an in-place activation no other layer applies")
    activation = relu.clampedActivation
    relu.isFused = true
  }

  // macs: the protocol's default 0. Like the customary ResNet/DenseNet counts (convolutions and
  // linear layers only), batch norm is left out: at inference it folds into the preceding conv.

  public func localState() -> [(name: String, entry: StateEntry)] {
    [("weight", .parameter(weight)), ("bias", .parameter(bias)),
     ("running_mean", .buffer(runningMean)), ("running_var", .buffer(runningVariance)),
     ("num_batches_tracked", .counter(batchesTracked))]
  }

  /// PyTorch's `reset_parameters`: fresh running statistics, γ = 1, β = 0 (draws nothing).
  public func resetParameters(using generator: inout SeededGenerator) {
    resetStatisticsAndAffine()
  }

  private func resetStatisticsAndAffine() {
    weight.value.fill(1)
    bias.value.fill(0)
    runningMean.fill(0)
    runningVariance.fill(1)
    batchesTracked.value = 0
  }
}
