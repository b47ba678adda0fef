import Engine
import Kernels
import Testing
import TestSupport

/// A `Sequential` fuses an in-place ReLU/ReLU6 into the batch norm right before it; the fused
/// pair computes the bits of the unfused one.
@Suite struct BatchNormActivationFusionTests {
  /// A batch norm with γ large enough for ReLU6 to clip and β spread around 0.
  private func batchNorm(_ channels: Int) -> BatchNorm2d {
    let bn = BatchNorm2d(channels: channels)
    for c in 0..<channels {
      bn.weight.value[c] = 4 + 2 * Float(c)
      bn.bias.value[c] = Float(c) - 1
    }
    return bn
  }

  @Test func onlyAnInPlaceActivationRightAfterABatchNormIsFused() {
    let (bn, relu) = (BatchNorm2d(channels: 2), ReLU(inPlace: true))
    _ = Sequential(bn, relu)
    #expect(bn.activation == .relu && relu.isFused)

    let (bn6, relu6) = (BatchNorm2d(channels: 2), ReLU6(inPlace: true))
    _ = Sequential(bn6, relu6)
    #expect(bn6.activation == .relu6 && relu6.isFused)

    let (kept, copying) = (BatchNorm2d(channels: 2), ReLU(inPlace: false))
    _ = Sequential(kept, copying)
    #expect(kept.activation == nil && !copying.isFused)

    let (apart, later) = (BatchNorm2d(channels: 2), ReLU(inPlace: true))
    _ = Sequential(apart, FeatureHook(), later)
    #expect(apart.activation == nil && !later.isFused)
  }

  @Test(arguments: [(false, Mode.train), (false, .eval), (true, .train), (true, .eval)])
  func fusedPairComputesTheUnfusedPairsBits(clipsAtSix: Bool, mode: Mode) {
    func activation(inPlace: Bool) -> ReLU { clipsAtSix ? ReLU6(inPlace: inPlace) : ReLU(inPlace: inPlace) }
    let shape = [3, 2, 5, 7]
    // Copying activation: not fused, the reference.
    let (plainNorm, fusedNorm) = (batchNorm(2), batchNorm(2))
    let plain = Sequential(plainNorm, activation(inPlace: false))
    let fused = Sequential(fusedNorm, activation(inPlace: true))
    #expect(fusedNorm.activation != nil && plainNorm.activation == nil)
    for norm in [plainNorm, fusedNorm] {
      norm.runningMean.pointer.update(from: [0.4, -0.3], count: 2)
      norm.runningVariance.pointer.update(from: [0.7, 1.8], count: 2)
    }
    let x = randomTensor(shape, seed: 5, in: -2...3), dy = randomTensor(shape, seed: 6)

    // Two steps: the second runs on buffers and statistics left by the first.
    for _ in 0..<2 {
      let (plainOut, fusedOut) = (plain.forward(x, mode: mode).values, fused.forward(x, mode: mode).values)
      #expect(fusedOut == plainOut)
      #expect(plainOut.contains(0) && (!clipsAtSix || plainOut.contains(6)))
      let (plainDx, fusedDx) = (plain.backward(dy).values, fused.backward(dy).values)
      #expect(fusedDx == plainDx)
      #expect(fusedNorm.weight.grad.values == plainNorm.weight.grad.values)
      #expect(fusedNorm.bias.grad.values == plainNorm.bias.grad.values)
      #expect(fusedNorm.runningMean.values == plainNorm.runningMean.values)
      #expect(fusedNorm.runningVariance.values == plainNorm.runningVariance.values)
      plain.releaseGradient()
      fused.releaseGradient()
    }
  }
}
