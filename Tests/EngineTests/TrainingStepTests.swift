import Engine
import Kernels
import Testing
import TestSupport

@Suite(.serialized) struct TrainingStepTests {
  /// Two full SGD steps (softmax + MFD at two taps, BN, residual, grouped and depthwise convs)
  /// from PyTorch's initial weights: every parameter, running statistic and loss after each step
  /// equals PyTorch's (computed in float64) within 1e-5 relative to the tensor's largest value.
  @Test func twoSGDStepsMatchPyTorch() throws {
    let f = try Fixture("sgd_step_small_cnn")
    let model = makeSmallCNN(lambda: Float(try f.number("lambda")))
    let state = model.namedState()
    for (name, entry) in state {
      switch entry {
      case .parameter(let p): p.value.assign(try f.tensor("init.\(name)"))
      case .buffer(let t): t.assign(try f.tensor("init.\(name)"))
      case .counter(let c): c.value = f.file.tensors["init.\(name)"]?.int64Values?.first ?? -1
      }
    }
    let optimizer = SGD(parameters: model.namedParameters(), learningRate: Float(try f.number("lr")),
                        momentum: Float(try f.number("momentum")),
                        weightDecay: Float(try f.number("weight_decay")))
    let trainer = ClassifierTrainer(model: model, optimizer: optimizer)
    let x = try f.tensor("x"), labels = try f.labels("labels")
    for step in 0..<Int(try f.number("steps")) {
      let result = try trainer.step(input: x, labels: labels)
      let expectedLosses = try f.tensor("step\(step).losses").values
      let ours = [result.crossEntropy] + result.mfd.map(\.loss)
      #expect(maxRelativeError(ours, expectedLosses, floor: 1e-3) < 1e-5, "losses at step \(step)")
      for (name, entry) in state {
        let key = "step\(step).\(name)"
        switch entry {
        case .parameter(let p):
          #expect(maxScaledError(p.value.values, try f.tensor(key).values) < 1e-5, "\(key)")
        case .buffer(let t):
          #expect(maxScaledError(t.values, try f.tensor(key).values) < 1e-5, "\(key)")
        case .counter(let c):
          #expect(c.value == f.file.tensors[key]?.int64Values?.first, "\(key)")
        }
      }
    }
  }

  /// The same seed and thread count give bit-identical weights after several steps.
  @Test func sameSeedAndThreadsGiveBitIdenticalWeights() throws {
    func train() throws -> [[Float]] {
      let model = makeSmallCNN()
      model.initialise(seed: 7)
      let trainer = ClassifierTrainer(
        model: model, optimizer: SGD(parameters: model.namedParameters(), learningRate: 0.05))
      for step in 0..<4 {
        let x = randomTensor([6, 3, 8, 8], seed: UInt64(100 + step))
        _ = try trainer.step(input: x, labels: randomLabels(6, classes: 5, seed: UInt64(step)))
      }
      return model.namedState().compactMap {
        if case .parameter(let p) = $0.entry { return p.value.values }
        if case .buffer(let t) = $0.entry { return t.values }
        return nil
      }
    }
    Threading.setThreadCount(2)
    defer { Threading.setThreadCount(1) }
    let first = try train(), second = try train()
    #expect(first == second)
    // And the seed matters: a different seed gives different weights.
    let other = makeSmallCNN()
    other.initialise(seed: 8)
    #expect(other.namedParameters().first!.parameter.value.values != first.first!)
  }

  @Test func lossFallsOnAFixedBatch() throws {
    let model = makeSmallCNN()
    model.initialise(seed: 3)
    let trainer = ClassifierTrainer(
      model: model, optimizer: SGD(parameters: model.namedParameters(), learningRate: 0.05))
    let x = randomTensor([8, 3, 8, 8], seed: 11), labels = randomLabels(8, classes: 5, seed: 12)
    let first = try trainer.step(input: x, labels: labels)
    var last = first
    for _ in 0..<15 { last = try trainer.step(input: x, labels: labels) }
    #expect(last.crossEntropy < 0.5 * first.crossEntropy)
    #expect(trainer.taps.map(\.label) == ["S0", "S1"])
  }
}

@Suite struct TrainingStepErrorTests {
  @Test func badInputsAreRejectedBeforeAnyUpdate() throws {
    let model = makeSmallCNN()
    model.initialise(seed: 1)
    let before = model.namedParameters().map { $0.parameter.value.values }
    let trainer = ClassifierTrainer(
      model: model, optimizer: SGD(parameters: model.namedParameters(), learningRate: 0.1))
    #expect {
      try trainer.step(input: randomTensor([2, 4, 8, 8], seed: 1), labels: [0, 1])
    } throws: { error in
      "\(error)" == "shape mismatch in conv1 (Conv2d(3→8, 3×3, padding 1)): expected [N, 3, H, W] with H + 2·1 ≥ 3 and W + 2·1 ≥ 3, got [2, 4, 8, 8]"
    }
    #expect(throws: TrainingStepError.labelCount(labels: 1, batch: 2)) {
      try trainer.step(input: randomTensor([2, 3, 8, 8], seed: 1), labels: [0])
    }
    #expect {
      try trainer.step(input: randomTensor([2, 3, 8, 8], seed: 1), labels: [0, 5])
    } throws: { error in
      "\(error)".contains("5") && "\(error)".contains("classes")
    }
    #expect(model.namedParameters().map { $0.parameter.value.values } == before)
  }
}

@Suite struct GradientPoolTests {
  /// A pooled model gives bit-identical steps, and after the first step allocates nothing more.
  @Test func pooledBuffersGiveIdenticalStepsAndStopGrowing() throws {
    func train(pooled: Bool) throws -> (weights: [[Float]], allocated: [Int]) {
      let model = makeSmallCNN()
      model.initialise(seed: 5)
      let pool = pooled ? GradientPool() : nil
      if let pool { model.attachGradientPool(pool) }
      let trainer = ClassifierTrainer(
        model: model, optimizer: SGD(parameters: model.namedParameters(), learningRate: 0.05))
      var allocated: [Int] = []
      for step in 0..<3 {
        _ = try trainer.step(input: randomTensor([6, 3, 8, 8], seed: UInt64(step)),
                             labels: randomLabels(6, classes: 5, seed: UInt64(step)))
        allocated.append(pool?.allocatedBytes ?? 0)
      }
      return (model.namedParameters().map { $0.parameter.value.values }, allocated)
    }
    let plain = try train(pooled: false), pooled = try train(pooled: true)
    #expect(plain.weights == pooled.weights)
    #expect(pooled.allocated[0] > 0)
    #expect(pooled.allocated[1] == pooled.allocated[0] && pooled.allocated[2] == pooled.allocated[0])
  }

  /// Activations of layers already back-propagated become the gradient buffers of the layers
  /// still to go: a chain of 6 conv + batch-norm pairs of one size needs its 12 activations and a
  /// single extra buffer (the first gradient); every later gradient lands in an activation whose
  /// layer has finished its backward. (Keeping activations to the next forward needed 14.)
  @Test func backPropagatedActivationsServeAsGradientBuffers() throws {
    let widths = [8, 8, 8, 8, 8, 8, 8]
    var layers: [(String, any Layer)] = []
    for (index, (inWidth, outWidth)) in zip(widths, widths.dropFirst()).enumerated() {
      layers.append(("conv\(index)", Conv2d(inChannels: inWidth, outChannels: outWidth, kernelSize: 3,
                                            padding: 1, bias: false)))
      layers.append(("bn\(index)", BatchNorm2d(channels: outWidth)))
    }
    let model = Sequential(named: layers)
    model.initialise(seed: 3)
    let pool = GradientPool()
    model.attachGradientPool(pool)
    let input = randomTensor([2, widths[0], 6, 6], seed: 9)
    let bytesPerChannel = 2 * 6 * 6 * 4
    for _ in 0..<2 {
      let output = model.forward(input, mode: .train)
      _ = model.backward(randomTensor(output.shape, seed: 10))
      model.releaseGradient()
    }
    let activations = 2 * widths.dropFirst().reduce(0, +) * bytesPerChannel
    let oneTensor = 8 * bytesPerChannel
    #expect(pool.allocatedBytes == activations + oneTensor,
            "\(pool.allocatedBytes / bytesPerChannel) channels' worth for \(activations / bytesPerChannel) of activations")
  }

  /// A downsampling residual block: the projection's batch-norm output goes back to the pool
  /// once the sum has read it, and the shortcut's input gradient is added into main's. In units
  /// of one output channel (an output-size tensor is 8, an input-size one 16): the forward's four
  /// activations (32), the ReLU's gradient (in the projection's freed output), main's batch-norm
  /// gradient (8), and two input-size gradients (32): 72. Keeping the projection's output to its
  /// backward and summing into a third input-size buffer took 96.
  @Test func downsamplingBlockHoldsTwoInputSizeGradients() throws {
    let block = Residual(
      main: Sequential(named: [
        ("conv1", Conv2d(inChannels: 4, outChannels: 8, kernelSize: 3, stride: 2, padding: 1, bias: false)),
        ("bn1", BatchNorm2d(channels: 8)),
      ]),
      shortcut: Sequential(
        Conv2d(inChannels: 4, outChannels: 8, kernelSize: 1, stride: 2, bias: false),
        BatchNorm2d(channels: 8)),
      post: ReLU(inPlace: true))
    block.initialise(seed: 4)
    let pool = GradientPool()
    block.attachGradientPool(pool)
    let input = randomTensor([2, 4, 6, 6], seed: 1)
    for step in 0..<2 {
      let output = block.forward(input, mode: .train)
      #expect(output.shape == [2, 8, 3, 3])
      let gradient = block.backward(randomTensor(output.shape, seed: UInt64(step)))
      #expect(gradient.shape == input.shape)
      block.releaseGradient()
    }
    let unit = 2 * 8 * 3 * 3 * 4 / 8  // one output channel's bytes; an input-size tensor is 16 units
    #expect(pool.allocatedBytes == 72 * unit, "\(pool.allocatedBytes / unit) units")
  }

  /// A ReLU at the end of a block masks in place the gradient the next layer produced (nothing
  /// else reads it): [[conv, ReLU], conv] needs its two pooled activations and one gradient
  /// buffer, 3 tensors. With a buffer of its own the ReLU's gradient took the second conv's
  /// freed output, and the first conv a fourth tensor, because the block's incoming gradient is
  /// released only when the block returns. Gradients equal those of the chain without a pool.
  @Test func aBlocksLastActivationMasksTheIncomingGradientInPlace() throws {
    func chain() -> Sequential {
      let block = Sequential(named: [
        ("conv", Conv2d(inChannels: 4, outChannels: 4, kernelSize: 3, padding: 1, bias: false)),
        ("relu", ReLU()),
      ])
      let model = Sequential(named: [
        ("block", block),
        ("conv", Conv2d(inChannels: 4, outChannels: 4, kernelSize: 3, padding: 1, bias: false)),
      ])
      model.initialise(seed: 8)
      return model
    }
    let input = randomTensor([2, 4, 5, 5], seed: 2), gradOutput = randomTensor([2, 4, 5, 5], seed: 3)
    let plain = chain(), pooled = chain()
    let pool = GradientPool()
    pooled.attachGradientPool(pool)
    var results: [[Float]] = []
    for model in [plain, pooled] {
      _ = model.forward(input, mode: .train)
      results.append(model.backward(gradOutput).values)
      results.append(contentsOf: model.namedParameters().map { $0.parameter.grad.values })
    }
    #expect(Array(results[..<3]) == Array(results[3...]))
    #expect(pool.allocatedBytes == 3 * input.count * 4, "\(pool.allocatedBytes / (input.count * 4)) tensors")
  }

  /// Told it may, a ReLU writes its gradient into the incoming one; otherwise it leaves it be.
  @Test func reluOverwritesTheIncomingGradientOnlyWhenAllowed() {
    let relu = ReLU()
    let input = randomTensor([3, 7], seed: 4), gradOutput = randomTensor([3, 7], seed: 5)
    _ = relu.forward(input, mode: .train)
    let kept = gradOutput.values
    let separate = relu.backward(gradOutput, mayOverwrite: false)
    #expect(!separate.sharesStorage(with: gradOutput) && gradOutput.values == kept)
    let overwritten = relu.backward(gradOutput, mayOverwrite: true)
    #expect(overwritten.sharesStorage(with: gradOutput))
    #expect(overwritten.values == separate.values)
    #expect(overwritten.values == zip(input.values, kept).map { $0 > 0 ? $1 : 0 })
  }

  /// A free buffer serves requests of more than half its size only: a small activation does not
  /// take the large buffer a later, larger gradient will need.
  @Test func aFreeBufferServesOnlyRequestsOfMoreThanHalfItsSize() {
    let pool = GradientPool()
    var large = GradientBuffer(), small = GradientBuffer(), middle = GradientBuffer()
    large.attach(pool); small.attach(pool); middle.attach(pool)
    let first = large.take([100])
    large.release()
    _ = small.take([40])
    #expect(pool.allocatedBytes == (100 + 40) * 4)
    let reused = middle.take([60])
    #expect(pool.allocatedBytes == (100 + 40) * 4)
    #expect(reused.sharesStorage(with: first))
  }

  /// Without a pool (a layer used on its own) the output buffer stays the layer's, reused
  /// across steps.
  @Test func withoutAPoolALayerKeepsItsOutputBuffer() {
    var owned = ActivationBuffer()
    let first = owned.take([2, 3])
    owned.releaseAfterBackward()
    #expect(owned.take([2, 3]) === first)
  }
}
