// Batch normalisation of NCHW tensors with PyTorch's `BatchNorm2d` semantics (affine, tracked
// running statistics): biased batch variance to normalise, unbiased variance for the running
// estimate, momentum 0.1, eps 1e-5.
//
// Statistics are per channel over the n·h·w values of that channel. Every kernel runs in parallel
// across channels; one worker owns a channel and reduces it in a fixed order in Double, so the
// results do not depend on the thread count.
//
// A batch norm may apply a ReLU or ReLU6 to its own output (`activation`; BatchNorm2d fuses the
// activation layer that follows it): the forward writes the activated values in its one output
// pass, and the backward recomputes the activation's mask from the input it reads anyway. That
// saves the activation's own pass over the tensor in each direction; the values are those of the
// two separate layers, bit for bit. Each public kernel picks its clamp type once and runs a body
// specialised for it.

/// Training forward: normalises each channel with its batch mean and biased variance, then
/// scales by γ and shifts by β.
///
/// - input, output: [n, c, spatial] (spatial = h·w)
/// - weight (γ), bias (β): [c]
/// - mean, variance, inverseStd: [c], written: the batch mean, the biased batch variance and
///   1/√(variance + epsilon), kept for `batchNorm2dBackwardTraining` and the running update.
/// - activation: applied to the output (nil: none).
public func batchNorm2dForwardTraining(
  input: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>,
  output: UnsafeMutablePointer<Float>,
  mean: UnsafeMutablePointer<Float>, variance: UnsafeMutablePointer<Float>,
  inverseStd: UnsafeMutablePointer<Float>,
  n: Int, c: Int, spatial: Int, epsilon: Float = 1e-5, activation: ClampedActivation? = nil
) {
  func run<Clamp: OutputClamp>(_ clamp: Clamp.Type) {
    guard spatial >= batchNormSmallPlane else {
      return batchNorm2dForwardTrainingSmallPlanes(
        clamp, input: input, weight: weight, bias: bias, output: output, mean: mean,
        variance: variance, inverseStd: inverseStd, n: n, c: c, spatial: spatial, epsilon: epsilon)
    }
    let count = Double(n * spatial)
    parallelFor(c) { channel in
      // Two passes (mean, then squared deviations) avoid the cancellation of E[x²] − E[x]².
      var sum = 0.0
      forEachPlane(of: channel, n: n, c: c, spatial: spatial) { base in
        sum += planeSum(input + base, spatial)
      }
      let channelMean = sum / count
      var squares = 0.0
      forEachPlane(of: channel, n: n, c: c, spatial: spatial) { base in
        squares += planeSquaredDeviations(input + base, spatial, from: channelMean)
      }
      let channelVariance = squares / count
      let invStd = 1 / (channelVariance + Double(epsilon)).squareRoot()
      mean[channel] = Float(channelMean)
      variance[channel] = Float(channelVariance)
      inverseStd[channel] = Float(invStd)

      let affine = ChannelAffine<Clamp>(mean: Float(channelMean), scale: Float(invStd) * weight[channel],
                                        shift: bias[channel])
      forEachPlane(of: channel, n: n, c: c, spatial: spatial) { base in
        affine.normalise(input + base, into: output + base, count: spatial)
      }
    }
  }
  switch activation {
  case nil: run(NoClamp.self)
  case .relu: run(ReLUClamp.self)
  case .relu6: run(ReLU6Clamp.self)
  }
}

/// Moves the running statistics towards this batch's:
/// running = (1 − momentum) · running + momentum · batch, with the variance made unbiased
/// (× count / (count − 1)) as PyTorch does for the running estimate.
///
/// - runningMean, runningVariance: [c], updated in place
/// - batchMean, batchVariance: [c], the mean and *biased* variance from the training forward
/// - count: values per channel (n·h·w), at least 2
public func batchNorm2dUpdateRunningStatistics(
  runningMean: UnsafeMutablePointer<Float>, runningVariance: UnsafeMutablePointer<Float>,
  batchMean: UnsafePointer<Float>, batchVariance: UnsafePointer<Float>,
  c: Int, count: Int, momentum: Float = 0.1
) {
  precondition(count > 1, "batch norm needs more than one value per channel to train, got \(count)")
  let bessel = Double(count) / Double(count - 1)
  // A handful of channels: not worth dispatching to workers.
  for channel in 0..<c {
    let unbiased = Float(Double(batchVariance[channel]) * bessel)
    runningMean[channel] = momentum * batchMean[channel] + (1 - momentum) * runningMean[channel]
    runningVariance[channel] = momentum * unbiased + (1 - momentum) * runningVariance[channel]
  }
}

/// Eval forward: normalises with the running statistics (an affine map per channel).
///
/// - input, output: [n, c, spatial]
/// - weight, bias, runningMean, runningVariance: [c]
/// - activation: applied to the output (nil: none).
public func batchNorm2dForwardEval(
  input: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>,
  runningMean: UnsafePointer<Float>, runningVariance: UnsafePointer<Float>,
  output: UnsafeMutablePointer<Float>,
  n: Int, c: Int, spatial: Int, epsilon: Float = 1e-5, activation: ClampedActivation? = nil
) {
  func run<Clamp: OutputClamp>(_: Clamp.Type) {
    parallelFor(c) { channel in
      let affine = ChannelAffine<Clamp>(
        mean: runningMean[channel],
        scale: runningInverseStd(runningVariance[channel], epsilon) * weight[channel],
        shift: bias[channel])
      forEachPlane(of: channel, n: n, c: c, spatial: spatial) { base in
        affine.normalise(input + base, into: output + base, count: spatial)
      }
    }
  }
  switch activation {
  case nil: run(NoClamp.self)
  case .relu: run(ReLUClamp.self)
  case .relu6: run(ReLU6Clamp.self)
  }
}

/// Training backward, through the batch statistics:
/// dβ += Σ dy, dγ += Σ dy·x̂, dx = γ·invStd · (dy − mean(dy) − x̂ · mean(dy·x̂)),
/// with x̂ = (x − mean) · invStd and the means over the channel's n·h·w values.
///
/// - input, gradOutput, gradInput: [n, c, spatial]
/// - weight: [c]; mean, inverseStd: [c] as saved by `batchNorm2dForwardTraining`
/// - gradWeight, gradBias: [c], accumulated
/// - activation: the forward's, with its `bias` (β): gradOutput is then the gradient of the
///   activated output, and dy above is it masked as the activation's backward would.
public func batchNorm2dBackwardTraining(
  input: UnsafePointer<Float>, gradOutput: UnsafePointer<Float>, weight: UnsafePointer<Float>,
  mean: UnsafePointer<Float>, inverseStd: UnsafePointer<Float>,
  gradInput: UnsafeMutablePointer<Float>,
  gradWeight: UnsafeMutablePointer<Float>, gradBias: UnsafeMutablePointer<Float>,
  n: Int, c: Int, spatial: Int, activation: (ClampedActivation, bias: UnsafePointer<Float>)? = nil
) {
  func run<Clamp: OutputClamp>(_ clamp: Clamp.Type) {
    guard spatial >= batchNormSmallPlane else {
      return batchNorm2dBackwardTrainingSmallPlanes(
        clamp, input: input, gradOutput: gradOutput, weight: weight, bias: activation?.bias,
        mean: mean, inverseStd: inverseStd, gradInput: gradInput, gradWeight: gradWeight,
        gradBias: gradBias, n: n, c: c, spatial: spatial)
    }
    let count = Float(n * spatial)
    parallelFor(c) { channel in
      let m = mean[channel], invStd = inverseStd[channel]
      let gate = ChannelAffine<Clamp>(mean: m, scale: invStd * weight[channel],
                                      shift: activation?.bias[channel] ?? 0)
      let (sumDy, sumDyXhat) = affineGradientSums(
        channel: channel, input: input, gradOutput: gradOutput, gate: gate, inverseStd: invStd,
        n: n, c: c, spatial: spatial)
      gradBias[channel] += Float(sumDy)
      gradWeight[channel] += Float(sumDyXhat)

      let meanDy = Float(sumDy) / count, meanDyXhat = Float(sumDyXhat) / count
      let scale = gate.scale  // γ·invStd
      forEachPlane(of: channel, n: n, c: c, spatial: spatial) { base in
        for i in 0..<spatial {
          let x = input[base + i]
          let xHat = (x - m) * invStd
          gradInput[base + i] = scale * (gate.gate(gradOutput[base + i], x) - meanDy - xHat * meanDyXhat)
        }
      }
    }
  }
  switch activation?.0 {
  case nil: run(NoClamp.self)
  case .relu: run(ReLUClamp.self)
  case .relu6: run(ReLU6Clamp.self)
  }
}

/// Eval backward: the running statistics are constants, so the layer is affine per channel:
/// dβ += Σ dy, dγ += Σ dy·x̂, dx = dy · γ / √(runningVariance + epsilon).
///
/// - input, gradOutput, gradInput: [n, c, spatial]
/// - weight, runningMean, runningVariance: [c]
/// - gradWeight, gradBias: [c], accumulated
/// - activation: the forward's, with its `bias` (β), as in `batchNorm2dBackwardTraining`.
public func batchNorm2dBackwardEval(
  input: UnsafePointer<Float>, gradOutput: UnsafePointer<Float>, weight: UnsafePointer<Float>,
  runningMean: UnsafePointer<Float>, runningVariance: UnsafePointer<Float>,
  gradInput: UnsafeMutablePointer<Float>,
  gradWeight: UnsafeMutablePointer<Float>, gradBias: UnsafeMutablePointer<Float>,
  n: Int, c: Int, spatial: Int, epsilon: Float = 1e-5,
  activation: (ClampedActivation, bias: UnsafePointer<Float>)? = nil
) {
  func run<Clamp: OutputClamp>(_: Clamp.Type) {
    parallelFor(c) { channel in
      let invStd = runningInverseStd(runningVariance[channel], epsilon)
      let gate = ChannelAffine<Clamp>(mean: runningMean[channel], scale: invStd * weight[channel],
                                      shift: activation?.bias[channel] ?? 0)
      let (sumDy, sumDyXhat) = affineGradientSums(
        channel: channel, input: input, gradOutput: gradOutput, gate: gate, inverseStd: invStd,
        n: n, c: c, spatial: spatial)
      gradBias[channel] += Float(sumDy)
      gradWeight[channel] += Float(sumDyXhat)

      let scale = gate.scale  // γ·invStd
      forEachPlane(of: channel, n: n, c: c, spatial: spatial) { base in
        for i in 0..<spatial { gradInput[base + i] = gate.gate(gradOutput[base + i], input[base + i]) * scale }
      }
    }
  }
  switch activation?.0 {
  case nil: run(NoClamp.self)
  case .relu: run(ReLUClamp.self)
  case .relu6: run(ReLU6Clamp.self)
  }
}
