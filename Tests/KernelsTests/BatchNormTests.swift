import Kernels
import Testing
import TestSupport

/// (n, c, spatial): odd sizes, a single image, a single position, one channel, and planes long
/// enough for the vector loops (blocks of 8 and 16) with and without a tail.
private let shapes = [(2, 3, 5), (3, 4, 7), (1, 5, 9), (4, 2, 1), (2, 1, 13), (2, 3, 37), (3, 2, 64)]

@Suite struct BatchNormTests {
  @Test(arguments: shapes)
  func trainingForwardMatchesNaiveReference(n: Int, c: Int, spatial: Int) {
    // An offset mean checks the centring; γ and β away from 1 and 0 check the affine part.
    let x = randomValues(n * c * spatial, seed: 11, in: 2...5)
    let gamma = randomValues(c, seed: 12, in: 0.5...2), beta = randomValues(c, seed: 13)
    var fast = [Float](repeating: 0, count: x.count), slow = fast
    var mean = [Float](repeating: 0, count: c), variance = mean, invStd = mean
    var naiveMean = mean, naiveVariance = mean, naiveInvStd = mean
    batchNorm2dForwardTraining(
      input: x, weight: gamma, bias: beta, output: &fast, mean: &mean, variance: &variance,
      inverseStd: &invStd, n: n, c: c, spatial: spatial)
    naiveBatchNorm2dForwardTraining(
      input: x, weight: gamma, bias: beta, output: &slow, mean: &naiveMean,
      variance: &naiveVariance, inverseStd: &naiveInvStd, n: n, c: c, spatial: spatial)
    #expect(maxRelativeError(fast, slow) < 1e-5)
    #expect(maxRelativeError(mean, naiveMean) < 1e-6)
    #expect(maxRelativeError(variance, naiveVariance, floor: 1e-3) < 1e-5)
    #expect(maxRelativeError(invStd, naiveInvStd) < 1e-5)
  }

  @Test(arguments: shapes.filter { $0.0 * $0.2 > 1 })
  func runningStatisticsUpdateMatchesNaiveReference(n: Int, c: Int, spatial: Int) {
    let x = randomValues(n * c * spatial, seed: 21, in: -3...4)
    let gamma = [Float](repeating: 1, count: c), beta = [Float](repeating: 0, count: c)
    var output = x, mean = gamma, variance = gamma, invStd = gamma
    batchNorm2dForwardTraining(
      input: x, weight: gamma, bias: beta, output: &output, mean: &mean, variance: &variance,
      inverseStd: &invStd, n: n, c: c, spatial: spatial)
    var runningMean = randomValues(c, seed: 22), runningVariance = randomValues(c, seed: 23, in: 0.5...2)
    var naiveMean = runningMean, naiveVariance = runningVariance
    batchNorm2dUpdateRunningStatistics(
      runningMean: &runningMean, runningVariance: &runningVariance,
      batchMean: mean, batchVariance: variance, c: c, count: n * spatial)
    naiveBatchNorm2dUpdateRunningStatistics(
      input: x, runningMean: &naiveMean, runningVariance: &naiveVariance,
      n: n, c: c, spatial: spatial)
    #expect(maxRelativeError(runningMean, naiveMean) < 1e-6)
    #expect(maxRelativeError(runningVariance, naiveVariance) < 1e-5)
  }

  @Test(arguments: shapes)
  func evalForwardMatchesNaiveReference(n: Int, c: Int, spatial: Int) {
    let x = randomValues(n * c * spatial, seed: 31, in: -2...3)
    let gamma = randomValues(c, seed: 32, in: 0.5...2), beta = randomValues(c, seed: 33)
    let runningMean = randomValues(c, seed: 34), runningVariance = randomValues(c, seed: 35, in: 0.1...3)
    var fast = [Float](repeating: 0, count: x.count), slow = fast
    batchNorm2dForwardEval(
      input: x, weight: gamma, bias: beta, runningMean: runningMean,
      runningVariance: runningVariance, output: &fast, n: n, c: c, spatial: spatial)
    naiveBatchNorm2dForwardEval(
      input: x, weight: gamma, bias: beta, runningMean: runningMean,
      runningVariance: runningVariance, output: &slow, n: n, c: c, spatial: spatial)
    #expect(maxRelativeError(fast, slow) < 1e-5)
  }

  @Test(arguments: shapes)
  func trainingBackwardMatchesNaiveReference(n: Int, c: Int, spatial: Int) {
    let x = randomValues(n * c * spatial, seed: 41, in: 1...4)
    let dy = randomValues(x.count, seed: 42)
    let gamma = randomValues(c, seed: 43, in: 0.5...2), beta = randomValues(c, seed: 44)
    var output = x, mean = gamma, variance = gamma, invStd = gamma
    batchNorm2dForwardTraining(
      input: x, weight: gamma, bias: beta, output: &output, mean: &mean, variance: &variance,
      inverseStd: &invStd, n: n, c: c, spatial: spatial)
    // Non-zero starting gradients check that γ and β gradients accumulate.
    var dGamma = randomValues(c, seed: 45), dBeta = randomValues(c, seed: 46)
    var naiveDGamma = dGamma, naiveDBeta = dBeta
    var dx = [Float](repeating: 0, count: x.count), naiveDx = dx
    batchNorm2dBackwardTraining(
      input: x, gradOutput: dy, weight: gamma, mean: mean, inverseStd: invStd,
      gradInput: &dx, gradWeight: &dGamma, gradBias: &dBeta, n: n, c: c, spatial: spatial)
    naiveBatchNorm2dBackwardTraining(
      input: x, gradOutput: dy, weight: gamma, gradInput: &naiveDx,
      gradWeight: &naiveDGamma, gradBias: &naiveDBeta, n: n, c: c, spatial: spatial)
    #expect(maxScaledError(dx, naiveDx) < 1e-4)
    #expect(maxRelativeError(dGamma, naiveDGamma) < 1e-5)
    #expect(maxRelativeError(dBeta, naiveDBeta) < 1e-5)
  }

  @Test(arguments: shapes)
  func evalBackwardMatchesNaiveReference(n: Int, c: Int, spatial: Int) {
    let x = randomValues(n * c * spatial, seed: 51, in: -2...3)
    let dy = randomValues(x.count, seed: 52)
    let gamma = randomValues(c, seed: 53, in: 0.5...2)
    let runningMean = randomValues(c, seed: 54), runningVariance = randomValues(c, seed: 55, in: 0.1...3)
    var dGamma = randomValues(c, seed: 56), dBeta = randomValues(c, seed: 57)
    var naiveDGamma = dGamma, naiveDBeta = dBeta
    var dx = [Float](repeating: 0, count: x.count), naiveDx = dx
    batchNorm2dBackwardEval(
      input: x, gradOutput: dy, weight: gamma, runningMean: runningMean,
      runningVariance: runningVariance, gradInput: &dx, gradWeight: &dGamma, gradBias: &dBeta,
      n: n, c: c, spatial: spatial)
    naiveBatchNorm2dBackwardEval(
      input: x, gradOutput: dy, weight: gamma, runningMean: runningMean,
      runningVariance: runningVariance, gradInput: &naiveDx, gradWeight: &naiveDGamma,
      gradBias: &naiveDBeta, n: n, c: c, spatial: spatial)
    #expect(maxRelativeError(dx, naiveDx) < 1e-5)
    #expect(maxRelativeError(dGamma, naiveDGamma) < 1e-5)
    #expect(maxRelativeError(dBeta, naiveDBeta) < 1e-5)
  }

  /// Per-plane loops (17 values) and channel blocks (3 values; 1500 channels: several blocks per
  /// worker, cut differently for one and two threads).
  @Test(arguments: [(3, 8, 17), (2, 1500, 3)])
  func trainingPassIsBitIdenticalForOneAndTwoThreads(n: Int, c: Int, spatial: Int) {
    let x = randomValues(n * c * spatial, seed: 61, in: -1...3), dy = randomValues(x.count, seed: 62)
    let gamma = randomValues(c, seed: 63, in: 0.5...2), beta = randomValues(c, seed: 64)
    func run() -> [Float] {
      var y = x, dx = x, mean = gamma, variance = gamma, invStd = gamma
      var dGamma = gamma, dBeta = beta
      batchNorm2dForwardTraining(
        input: x, weight: gamma, bias: beta, output: &y, mean: &mean, variance: &variance,
        inverseStd: &invStd, n: n, c: c, spatial: spatial)
      batchNorm2dBackwardTraining(
        input: x, gradOutput: dy, weight: gamma, mean: mean, inverseStd: invStd,
        gradInput: &dx, gradWeight: &dGamma, gradBias: &dBeta, n: n, c: c, spatial: spatial)
      return y + dx + mean + variance + dGamma + dBeta
    }
    let single = withThreadCount(1, run), double = withThreadCount(2, run)
    #expect(single == double)
  }
}
