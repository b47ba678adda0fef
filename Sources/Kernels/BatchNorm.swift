// Batch normalisation of NCHW tensors with PyTorch's `BatchNorm2d` semantics (affine, tracked
// running statistics): biased batch variance to normalise, unbiased variance for the running
// estimate, momentum 0.1, eps 1e-5.
//
// Statistics are per channel over the n·h·w values of that channel. Every kernel runs in parallel
// across channels; one worker owns a channel and reduces it in a fixed order in Double, so the
// results do not depend on the thread count.

/// Training forward: normalises each channel with its batch mean and biased variance, then
/// scales by γ and shifts by β.
///
/// - input, output: [n, c, spatial] (spatial = h·w)
/// - weight (γ), bias (β): [c]
/// - mean, variance, inverseStd: [c], written: the batch mean, the biased batch variance and
///   1/√(variance + epsilon), kept for `batchNorm2dBackwardTraining` and the running update.
public func batchNorm2dForwardTraining(
  input: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>,
  output: UnsafeMutablePointer<Float>,
  mean: UnsafeMutablePointer<Float>, variance: UnsafeMutablePointer<Float>,
  inverseStd: UnsafeMutablePointer<Float>,
  n: Int, c: Int, spatial: Int, epsilon: Float = 1e-5
) {
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

    let m = Float(channelMean), scale = Float(invStd) * weight[channel], shift = bias[channel]
    forEachPlane(of: channel, n: n, c: c, spatial: spatial) { base in
      for i in 0..<spatial { output[base + i] = (input[base + i] - m) * scale + shift }
    }
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
public func batchNorm2dForwardEval(
  input: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>,
  runningMean: UnsafePointer<Float>, runningVariance: UnsafePointer<Float>,
  output: UnsafeMutablePointer<Float>,
  n: Int, c: Int, spatial: Int, epsilon: Float = 1e-5
) {
  parallelFor(c) { channel in
    let m = runningMean[channel]
    let scale = runningInverseStd(runningVariance[channel], epsilon) * weight[channel]
    let shift = bias[channel]
    forEachPlane(of: channel, n: n, c: c, spatial: spatial) { base in
      for i in 0..<spatial { output[base + i] = (input[base + i] - m) * scale + shift }
    }
  }
}

/// Training backward, through the batch statistics:
/// dβ += Σ dy, dγ += Σ dy·x̂, dx = γ·invStd · (dy − mean(dy) − x̂ · mean(dy·x̂)),
/// with x̂ = (x − mean) · invStd and the means over the channel's n·h·w values.
///
/// - input, gradOutput, gradInput: [n, c, spatial]
/// - weight: [c]; mean, inverseStd: [c] as saved by `batchNorm2dForwardTraining`
/// - gradWeight, gradBias: [c], accumulated
public func batchNorm2dBackwardTraining(
  input: UnsafePointer<Float>, gradOutput: UnsafePointer<Float>, weight: UnsafePointer<Float>,
  mean: UnsafePointer<Float>, inverseStd: UnsafePointer<Float>,
  gradInput: UnsafeMutablePointer<Float>,
  gradWeight: UnsafeMutablePointer<Float>, gradBias: UnsafeMutablePointer<Float>,
  n: Int, c: Int, spatial: Int
) {
  let count = Float(n * spatial)
  parallelFor(c) { channel in
    let m = mean[channel], invStd = inverseStd[channel]
    let (sumDy, sumDyXhat) = affineGradientSums(
      channel: channel, input: input, gradOutput: gradOutput, mean: m, inverseStd: invStd,
      n: n, c: c, spatial: spatial)
    gradBias[channel] += Float(sumDy)
    gradWeight[channel] += Float(sumDyXhat)

    let meanDy = Float(sumDy) / count, meanDyXhat = Float(sumDyXhat) / count
    let scale = weight[channel] * invStd
    forEachPlane(of: channel, n: n, c: c, spatial: spatial) { base in
      for i in 0..<spatial {
        let xHat = (input[base + i] - m) * invStd
        gradInput[base + i] = scale * (gradOutput[base + i] - meanDy - xHat * meanDyXhat)
      }
    }
  }
}

/// Eval backward: the running statistics are constants, so the layer is affine per channel:
/// dβ += Σ dy, dγ += Σ dy·x̂, dx = dy · γ / √(runningVariance + epsilon).
///
/// - input, gradOutput, gradInput: [n, c, spatial]
/// - weight, runningMean, runningVariance: [c]
/// - gradWeight, gradBias: [c], accumulated
public func batchNorm2dBackwardEval(
  input: UnsafePointer<Float>, gradOutput: UnsafePointer<Float>, weight: UnsafePointer<Float>,
  runningMean: UnsafePointer<Float>, runningVariance: UnsafePointer<Float>,
  gradInput: UnsafeMutablePointer<Float>,
  gradWeight: UnsafeMutablePointer<Float>, gradBias: UnsafeMutablePointer<Float>,
  n: Int, c: Int, spatial: Int, epsilon: Float = 1e-5
) {
  parallelFor(c) { channel in
    let invStd = runningInverseStd(runningVariance[channel], epsilon)
    let (sumDy, sumDyXhat) = affineGradientSums(
      channel: channel, input: input, gradOutput: gradOutput, mean: runningMean[channel],
      inverseStd: invStd, n: n, c: c, spatial: spatial)
    gradBias[channel] += Float(sumDy)
    gradWeight[channel] += Float(sumDyXhat)

    let scale = weight[channel] * invStd
    forEachPlane(of: channel, n: n, c: c, spatial: spatial) { base in
      for i in 0..<spatial { gradInput[base + i] = gradOutput[base + i] * scale }
    }
  }
}

// MARK: - Helpers

/// Calls `body` with the offset of each of `channel`'s n planes, in batch order.
@inline(__always)
private func forEachPlane(of channel: Int, n: Int, c: Int, spatial: Int, _ body: (Int) -> Void) {
  for image in 0..<n { body((image * c + channel) * spatial) }
}

/// 1/√(variance + epsilon) in Double, rounded once.
@inline(__always)
private func runningInverseStd(_ variance: Float, _ epsilon: Float) -> Float {
  Float(1 / (Double(variance) + Double(epsilon)).squareRoot())
}

/// Σ dy and Σ dy·x̂ over one channel, x̂ = (x − mean) · inverseStd: the γ and β gradients.
@inline(__always)
private func affineGradientSums(
  channel: Int, input: UnsafePointer<Float>, gradOutput: UnsafePointer<Float>,
  mean: Float, inverseStd: Float, n: Int, c: Int, spatial: Int
) -> (sumDy: Double, sumDyXhat: Double) {
  var sumDy = 0.0, sumDyCentred = 0.0
  forEachPlane(of: channel, n: n, c: c, spatial: spatial) { base in
    sumDy += planeSum(gradOutput + base, spatial)
    sumDyCentred += planeDot(gradOutput + base, input + base, spatial, centredOn: mean)
  }
  return (sumDy, sumDyCentred * Double(inverseStd))
}

// The plane reductions below keep four independent Double accumulators. A single running sum is
// one long chain of dependent adds (the compiler may not reorder it); four chains in a fixed
// pattern run ~4× faster and still give the same bits on every run and thread count.

/// Σ x[i] for i in 0..<count, in Double.
@inline(__always)
private func planeSum(_ x: UnsafePointer<Float>, _ count: Int) -> Double {
  var (a0, a1, a2, a3) = (0.0, 0.0, 0.0, 0.0)
  var i = 0
  while i + 4 <= count {
    a0 += Double(x[i]); a1 += Double(x[i + 1]); a2 += Double(x[i + 2]); a3 += Double(x[i + 3])
    i += 4
  }
  while i < count { a0 += Double(x[i]); i += 1 }
  return (a0 + a1) + (a2 + a3)
}

/// Σ (x[i] − mean)² for i in 0..<count, in Double.
@inline(__always)
private func planeSquaredDeviations(_ x: UnsafePointer<Float>, _ count: Int, from mean: Double) -> Double {
  @inline(__always) func square(_ v: Float) -> Double { let d = Double(v) - mean; return d * d }
  var (a0, a1, a2, a3) = (0.0, 0.0, 0.0, 0.0)
  var i = 0
  while i + 4 <= count {
    a0 += square(x[i]); a1 += square(x[i + 1]); a2 += square(x[i + 2]); a3 += square(x[i + 3])
    i += 4
  }
  while i < count { a0 += square(x[i]); i += 1 }
  return (a0 + a1) + (a2 + a3)
}

/// Σ dy[i] · (x[i] − mean) for i in 0..<count, in Double.
@inline(__always)
private func planeDot(
  _ dy: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ count: Int, centredOn mean: Float
) -> Double {
  @inline(__always) func term(_ k: Int) -> Double { Double(dy[k]) * Double(x[k] - mean) }
  var (a0, a1, a2, a3) = (0.0, 0.0, 0.0, 0.0)
  var i = 0
  while i + 4 <= count {
    a0 += term(i); a1 += term(i + 1); a2 += term(i + 2); a3 += term(i + 3)
    i += 4
  }
  while i < count { a0 += term(i); i += 1 }
  return (a0 + a1) + (a2 + a3)
}
