import Kernels
import Testing
import TestSupport

/// A batch norm with a fused ReLU / ReLU6 gives exactly the bits of the batch norm followed by
/// the activation's own kernels: forward values, input gradient and γ/β gradients, in training
/// and in evaluation.
@Suite struct BatchNormActivationTests {
  /// (activation, n, c, spatial): tails, vector blocks, small planes (channel blocks), and γ
  /// large enough that ReLU6 clips at 6.
  static let cases: [(ClampedActivation, Int, Int, Int)] = [
    (.relu, 2, 3, 37), (.relu, 3, 2, 5), (.relu6, 2, 3, 37), (.relu6, 3, 4, 16), (.relu6, 4, 3, 4),
  ]

  /// The activation's own forward, in place.
  private func activate(_ values: inout [Float], _ activation: ClampedActivation) {
    let count = values.count
    values.withUnsafeMutableBufferPointer { v in
      switch activation {
      case .relu: reluForward(input: v.baseAddress!, output: v.baseAddress!, count: count)
      case .relu6: relu6Forward(input: v.baseAddress!, output: v.baseAddress!, count: count)
      }
    }
  }

  /// The activation's own backward from its (in-place) output.
  private func mask(_ dy: [Float], at output: [Float], _ activation: ClampedActivation) -> [Float] {
    var dx = dy
    switch activation {
    case .relu: reluBackward(output: output, gradOutput: dy, gradInput: &dx, count: dy.count)
    case .relu6: relu6Backward(input: output, gradOutput: dy, gradInput: &dx, count: dy.count)
    }
    return dx
  }

  private struct Inputs {
    let x, dy, gamma, beta: [Float]
    init(count: Int, channels: Int, seed: UInt64) {
      x = randomValues(count, seed: seed, in: -2...3)
      dy = randomValues(count, seed: seed + 1)
      gamma = randomValues(channels, seed: seed + 2, in: 2...5)
      beta = randomValues(channels, seed: seed + 3, in: -1...3)
    }
  }

  @Test(arguments: cases)
  func trainingPassEqualsTheSeparateLayersBitForBit(activation: ClampedActivation, n: Int, c: Int, spatial: Int) {
    let input = Inputs(count: n * c * spatial, channels: c, seed: 71)
    var plain = [Float](repeating: 0, count: input.x.count), fused = plain
    var mean = [Float](repeating: 0, count: c), variance = mean, invStd = mean
    batchNorm2dForwardTraining(
      input: input.x, weight: input.gamma, bias: input.beta, output: &plain, mean: &mean,
      variance: &variance, inverseStd: &invStd, n: n, c: c, spatial: spatial)
    activate(&plain, activation)
    batchNorm2dForwardTraining(
      input: input.x, weight: input.gamma, bias: input.beta, output: &fused, mean: &mean,
      variance: &variance, inverseStd: &invStd, n: n, c: c, spatial: spatial, activation: activation)
    #expect(fused == plain)
    // Both sides of the clamp occur, so the mask is exercised.
    #expect(plain.contains(0) && plain.contains { $0 > 0 })
    if activation == .relu6 { #expect(plain.contains(6)) }

    var (dGamma, dBeta) = (input.gamma, input.beta), (fusedDGamma, fusedDBeta) = (input.gamma, input.beta)
    var dx = input.x, fusedDx = input.x
    batchNorm2dBackwardTraining(
      input: input.x, gradOutput: mask(input.dy, at: plain, activation), weight: input.gamma,
      mean: mean, inverseStd: invStd, gradInput: &dx, gradWeight: &dGamma, gradBias: &dBeta,
      n: n, c: c, spatial: spatial)
    input.beta.withUnsafeBufferPointer { beta in
      batchNorm2dBackwardTraining(
        input: input.x, gradOutput: input.dy, weight: input.gamma, mean: mean, inverseStd: invStd,
        gradInput: &fusedDx, gradWeight: &fusedDGamma, gradBias: &fusedDBeta,
        n: n, c: c, spatial: spatial, activation: (activation, bias: beta.baseAddress!))
    }
    #expect(fusedDx == dx)
    #expect(fusedDGamma == dGamma && fusedDBeta == dBeta)
  }

  @Test(arguments: cases)
  func evalPassEqualsTheSeparateLayersBitForBit(activation: ClampedActivation, n: Int, c: Int, spatial: Int) {
    let input = Inputs(count: n * c * spatial, channels: c, seed: 81)
    let runningMean = randomValues(c, seed: 85), runningVariance = randomValues(c, seed: 86, in: 0.3...2)
    var plain = [Float](repeating: 0, count: input.x.count), fused = plain
    batchNorm2dForwardEval(
      input: input.x, weight: input.gamma, bias: input.beta, runningMean: runningMean,
      runningVariance: runningVariance, output: &plain, n: n, c: c, spatial: spatial)
    activate(&plain, activation)
    batchNorm2dForwardEval(
      input: input.x, weight: input.gamma, bias: input.beta, runningMean: runningMean,
      runningVariance: runningVariance, output: &fused, n: n, c: c, spatial: spatial,
      activation: activation)
    #expect(fused == plain)
    #expect(plain.contains(0) && plain.contains { $0 > 0 })

    var (dGamma, dBeta) = (input.gamma, input.beta), (fusedDGamma, fusedDBeta) = (input.gamma, input.beta)
    var dx = input.x, fusedDx = input.x
    batchNorm2dBackwardEval(
      input: input.x, gradOutput: mask(input.dy, at: plain, activation), weight: input.gamma,
      runningMean: runningMean, runningVariance: runningVariance, gradInput: &dx,
      gradWeight: &dGamma, gradBias: &dBeta, n: n, c: c, spatial: spatial)
    input.beta.withUnsafeBufferPointer { beta in
      batchNorm2dBackwardEval(
        input: input.x, gradOutput: input.dy, weight: input.gamma, runningMean: runningMean,
        runningVariance: runningVariance, gradInput: &fusedDx, gradWeight: &fusedDGamma,
        gradBias: &fusedDBeta, n: n, c: c, spatial: spatial,
        activation: (activation, bias: beta.baseAddress!))
    }
    #expect(fusedDx == dx)
    #expect(fusedDGamma == dGamma && fusedDBeta == dBeta)
  }
}
