import Kernels
import Testing
import TestSupport

@Suite struct MFDCorrelationTests {
  func kernelStatistic(_ x: [Float], _ shape: MFDShape, workspace: MFDWorkspace = MFDWorkspace()) -> Float {
    meanAbsoluteCorrelation(input: x, batch: shape.batch, channels: shape.channels,
                            pixels: shape.pixels, workspace: workspace)
  }

  func naiveStatistic(_ x: [Float], _ shape: MFDShape) -> Double {
    naiveMeanAbsoluteCorrelation(input: x, batch: shape.batch, channels: shape.channels,
                                 pixels: shape.pixels)
  }

  @Test(arguments: [MFDShape(2, 2, 2, 3), MFDShape(3, 5, 3, 3), MFDShape(7, 6, 1, 1), MFDShape(16, 33, 3, 5)])
  func meanAbsoluteCorrelationMatchesNaiveReference(shape: MFDShape) {
    let x = mfdInput(shape, seed: 111, amplitude: 1, offset: 0.25)
    let expected = naiveStatistic(x, shape)
    #expect(expected > 0)
    #expect(relativeError(Double(kernelStatistic(x, shape)), expected) < 1e-4)
  }

  /// Dead channels contribute |R| = 0 but still count in the C(C−1) pairs.
  @Test func deadChannelsCountAsUncorrelated() {
    let shape = MFDShape(4, 5, 2, 2)
    var x = mfdInput(shape, seed: 121)
    setChannel(&x, shape, 0, to: 0)
    setChannel(&x, shape, 2, to: 2.9)
    let kernel = Double(kernelStatistic(x, shape))
    #expect(relativeError(kernel, naiveStatistic(x, shape)) < 1e-4)
    let live = MFDShape(4, 3, 2, 2)
    let liveOnly = (0..<shape.batch).flatMap { b in
      [1, 3, 4].flatMap { c in (0..<shape.pixels).map { x[shape.index(b, c, $0)] } }
    }
    // 6 live pairs out of 20.
    #expect(relativeError(kernel, Double(kernelStatistic(liveOnly, live)) * 6 / 20) < 1e-4)
  }

  /// Channels that are affine images of one map (some with negative slope) have |R_ij| = 1.
  @Test func perfectlyCorrelatedChannelsGiveOne() {
    let shape = MFDShape(5, 4, 3, 3)
    let base = randomValues(shape.batch * shape.pixels, seed: 131)
    let slopes: [Float] = [1, -2, 0.5, 3]
    let offsets: [Float] = [0, 1, -3, 0.25]
    var x = [Float](repeating: 0, count: shape.count)
    for b in 0..<shape.batch {
      for c in 0..<shape.channels {
        for p in 0..<shape.pixels {
          x[shape.index(b, c, p)] = slopes[c] * base[b * shape.pixels + p] + offsets[c]
        }
      }
    }
    #expect(abs(kernelStatistic(x, shape) - 1) < 1e-5)
  }

  /// The loss pass records the same statistic for free.
  @Test func lossForwardRecordsTheSameStatistic() {
    let shape = MFDShape(6, 7, 2, 3)
    let x = mfdInput(shape, seed: 141)
    let workspace = MFDWorkspace()
    _ = kernelLoss(x, shape, workspace: workspace)
    #expect(workspace.lastMeanAbsoluteCorrelation == kernelStatistic(x, shape))
    #expect(workspace.lastMeanAbsoluteCorrelation > 0)
  }

  @Test func singleChannelHasNoCorrelation() {
    let shape = MFDShape(3, 1, 2, 2)
    #expect(kernelStatistic(mfdInput(shape, seed: 151), shape) == 0)
  }
}
