// Reference batch normalisation for tests: the textbook formulas, plain loops, Double throughout.

/// Reference for `batchNorm2dForwardTraining`, computing everything in Double.
///
/// - input, output: [n, c, spatial]; weight, bias, mean, variance, inverseStd: [c]
public func naiveBatchNorm2dForwardTraining(
  input: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>,
  output: UnsafeMutablePointer<Float>,
  mean: UnsafeMutablePointer<Float>, variance: UnsafeMutablePointer<Float>,
  inverseStd: UnsafeMutablePointer<Float>,
  n: Int, c: Int, spatial: Int, epsilon: Float = 1e-5
) {
  for channel in 0..<c {
    let values = naiveChannelValues(input, channel: channel, n: n, c: c, spatial: spatial)
    let (mu, biased, _) = naiveMoments(values)
    let invStd = 1 / (biased + Double(epsilon)).squareRoot()
    mean[channel] = Float(mu)
    variance[channel] = Float(biased)
    inverseStd[channel] = Float(invStd)
    for b in 0..<n {
      for i in 0..<spatial {
        let index = (b * c + channel) * spatial + i
        let xHat = (Double(input[index]) - mu) * invStd
        output[index] = Float(xHat * Double(weight[channel]) + Double(bias[channel]))
      }
    }
  }
}

/// Reference running-statistics update, computed from the raw input rather than saved moments:
/// running = (1 − momentum) · running + momentum · (batch mean, unbiased batch variance).
///
/// - input: [n, c, spatial]; runningMean, runningVariance: [c], updated in place
public func naiveBatchNorm2dUpdateRunningStatistics(
  input: UnsafePointer<Float>,
  runningMean: UnsafeMutablePointer<Float>, runningVariance: UnsafeMutablePointer<Float>,
  n: Int, c: Int, spatial: Int, momentum: Float = 0.1
) {
  let m = Double(momentum)
  for channel in 0..<c {
    let values = naiveChannelValues(input, channel: channel, n: n, c: c, spatial: spatial)
    let (mu, _, unbiased) = naiveMoments(values)
    runningMean[channel] = Float((1 - m) * Double(runningMean[channel]) + m * mu)
    runningVariance[channel] = Float((1 - m) * Double(runningVariance[channel]) + m * unbiased)
  }
}

/// Reference for `batchNorm2dForwardEval`.
///
/// - input, output: [n, c, spatial]; weight, bias, runningMean, runningVariance: [c]
public func naiveBatchNorm2dForwardEval(
  input: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>,
  runningMean: UnsafePointer<Float>, runningVariance: UnsafePointer<Float>,
  output: UnsafeMutablePointer<Float>,
  n: Int, c: Int, spatial: Int, epsilon: Float = 1e-5
) {
  for b in 0..<n {
    for channel in 0..<c {
      let invStd = 1 / (Double(runningVariance[channel]) + Double(epsilon)).squareRoot()
      for i in 0..<spatial {
        let index = (b * c + channel) * spatial + i
        let xHat = (Double(input[index]) - Double(runningMean[channel])) * invStd
        output[index] = Float(xHat * Double(weight[channel]) + Double(bias[channel]))
      }
    }
  }
}

/// Reference for `batchNorm2dBackwardTraining`, recomputing the batch statistics from the input.
///
/// - input, gradOutput, gradInput: [n, c, spatial]; weight: [c]; gradWeight, gradBias: [c], accumulated
public func naiveBatchNorm2dBackwardTraining(
  input: UnsafePointer<Float>, gradOutput: UnsafePointer<Float>, weight: UnsafePointer<Float>,
  gradInput: UnsafeMutablePointer<Float>,
  gradWeight: UnsafeMutablePointer<Float>, gradBias: UnsafeMutablePointer<Float>,
  n: Int, c: Int, spatial: Int, epsilon: Float = 1e-5
) {
  for channel in 0..<c {
    let x = naiveChannelValues(input, channel: channel, n: n, c: c, spatial: spatial)
    let dy = naiveChannelValues(gradOutput, channel: channel, n: n, c: c, spatial: spatial)
    let (mu, biased, _) = naiveMoments(x)
    let invStd = 1 / (biased + Double(epsilon)).squareRoot()
    let xHat = x.map { ($0 - mu) * invStd }
    let count = Double(x.count)
    let sumDy = dy.reduce(0, +)
    let sumDyXhat = zip(dy, xHat).reduce(0) { $0 + $1.0 * $1.1 }
    gradBias[channel] += Float(sumDy)
    gradWeight[channel] += Float(sumDyXhat)
    var k = 0
    for b in 0..<n {
      for i in 0..<spatial {
        let dxHat = dy[k] * Double(weight[channel])
        // dx = invStd/M · (M·dx̂ − Σdx̂ − x̂·Σ(dx̂·x̂)), with dx̂ = γ·dy.
        let dx = invStd / count * (count * dxHat - Double(weight[channel]) * sumDy
          - xHat[k] * Double(weight[channel]) * sumDyXhat)
        gradInput[(b * c + channel) * spatial + i] = Float(dx)
        k += 1
      }
    }
  }
}

/// Reference for `batchNorm2dBackwardEval`.
///
/// - input, gradOutput, gradInput: [n, c, spatial]; weight, runningMean, runningVariance: [c];
///   gradWeight, gradBias: [c], accumulated
public func naiveBatchNorm2dBackwardEval(
  input: UnsafePointer<Float>, gradOutput: UnsafePointer<Float>, weight: UnsafePointer<Float>,
  runningMean: UnsafePointer<Float>, runningVariance: UnsafePointer<Float>,
  gradInput: UnsafeMutablePointer<Float>,
  gradWeight: UnsafeMutablePointer<Float>, gradBias: UnsafeMutablePointer<Float>,
  n: Int, c: Int, spatial: Int, epsilon: Float = 1e-5
) {
  for channel in 0..<c {
    let invStd = 1 / (Double(runningVariance[channel]) + Double(epsilon)).squareRoot()
    var sumDy = 0.0, sumDyXhat = 0.0
    for b in 0..<n {
      for i in 0..<spatial {
        let index = (b * c + channel) * spatial + i
        let dy = Double(gradOutput[index])
        sumDy += dy
        sumDyXhat += dy * (Double(input[index]) - Double(runningMean[channel])) * invStd
        gradInput[index] = Float(dy * Double(weight[channel]) * invStd)
      }
    }
    gradBias[channel] += Float(sumDy)
    gradWeight[channel] += Float(sumDyXhat)
  }
}

/// One channel's n·spatial values in batch order, as Doubles.
private func naiveChannelValues(
  _ x: UnsafePointer<Float>, channel: Int, n: Int, c: Int, spatial: Int
) -> [Double] {
  var values: [Double] = []
  for b in 0..<n {
    for i in 0..<spatial { values.append(Double(x[(b * c + channel) * spatial + i])) }
  }
  return values
}

/// Mean, biased and unbiased variance.
private func naiveMoments(_ values: [Double]) -> (mean: Double, biased: Double, unbiased: Double) {
  let count = Double(values.count)
  let mean = values.reduce(0, +) / count
  let squares = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
  return (mean, squares / count, squares / (count - 1))
}
