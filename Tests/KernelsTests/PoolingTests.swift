import Kernels
import Testing
import TestSupport

/// A pooling test case: plane size, kernel, stride, padding (height, width each).
struct PoolCase: Sendable, CustomTestStringConvertible {
  let height, width, kernelH, kernelW, strideH, strideW, padH, padW: Int
  var geometry: Pool2dGeometry {
    Pool2dGeometry(inputHeight: height, inputWidth: width, kernel: (kernelH, kernelW),
                   stride: (strideH, strideW), padding: (padH, padW))
  }
  var testDescription: String { "\(height)×\(width) k\(kernelH)×\(kernelW) s\(strideH)×\(strideW) p\(padH)×\(padW)" }
}

private let poolCases = [
  PoolCase(height: 7, width: 7, kernelH: 3, kernelW: 3, strideH: 2, strideW: 2, padH: 1, padW: 1),  // ResNet stem
  PoolCase(height: 6, width: 5, kernelH: 2, kernelW: 2, strideH: 2, strideW: 2, padH: 0, padW: 0),  // DenseNet transition
  PoolCase(height: 9, width: 8, kernelH: 3, kernelW: 3, strideH: 1, strideW: 1, padH: 1, padW: 1),
  PoolCase(height: 5, width: 7, kernelH: 3, kernelW: 2, strideH: 2, strideW: 3, padH: 1, padW: 0),
  PoolCase(height: 4, width: 4, kernelH: 4, kernelW: 4, strideH: 1, strideW: 1, padH: 2, padW: 2),
]

/// (input h, w, output h, w): global, uneven, overlapping and upsampling windows.
private let adaptiveCases = [(7, 7, 1, 1), (7, 5, 3, 2), (10, 9, 4, 4), (3, 4, 5, 6), (6, 6, 6, 6)]

@Suite struct PoolingTests {
  private let planes = 5

  @Test(arguments: poolCases)
  func maxPoolMatchesNaiveReference(_ pool: PoolCase) {
    let g = pool.geometry
    let x = randomValues(planes * g.inputHeight * g.inputWidth, seed: 1)
    let dy = randomValues(planes * g.outputHeight * g.outputWidth, seed: 2)
    var y = dy, naiveY = dy, dx = x, naiveDx = x
    var indices = [Int32](repeating: -1, count: dy.count), naiveIndices = indices
    maxPool2dForward(input: x, output: &y, indices: &indices, planes: planes, geometry: g)
    naiveMaxPool2dForward(input: x, output: &naiveY, indices: &naiveIndices, planes: planes, geometry: g)
    maxPool2dBackward(gradOutput: dy, indices: indices, gradInput: &dx, planes: planes, geometry: g)
    naiveMaxPool2dBackward(input: x, gradOutput: dy, gradInput: &naiveDx, planes: planes, geometry: g)
    #expect(y == naiveY)
    #expect(indices == naiveIndices)
    #expect(maxRelativeError(dx, naiveDx) < 1e-6)
  }

  @Test func maxPoolTiesGoToTheFirstMaximumAndPaddingNeverWins() {
    // A constant negative plane: padding (−∞) must not win and every window picks its first cell.
    let g = Pool2dGeometry(inputHeight: 3, inputWidth: 3, kernel: (2, 2), stride: (1, 1), padding: (1, 1))
    let x = [Float](repeating: -2, count: 9)
    var y = [Float](repeating: 0, count: 16), indices = [Int32](repeating: -1, count: 16)
    maxPool2dForward(input: x, output: &y, indices: &indices, planes: 1, geometry: g)
    #expect(y.allSatisfy { $0 == -2 })
    // Window (oh, ow) starts at input cell (max(oh−1, 0), max(ow−1, 0)).
    var expected: [Int32] = []
    for oh in 0..<4 {
      for ow in 0..<4 { expected.append(Int32(max(oh - 1, 0) * 3 + max(ow - 1, 0))) }
    }
    #expect(indices == expected)
  }

  @Test func maxPoolPropagatesNaNAndInfinitiesAsPyTorch() {
    // PyTorch's rule `value > best || isnan(value)`: the last NaN of a window wins.
    let g = poolCases[0].geometry
    var x = randomValues(2 * g.inputHeight * g.inputWidth, seed: 9)
    for (i, special) in [(3, Float.nan), (10, .nan), (17, .infinity), (18, -.infinity), (40, .nan), (60, -.infinity)] {
      x[i] = special
    }
    var y = [Float](repeating: 0, count: 2 * g.outputHeight * g.outputWidth), naiveY = y
    var indices = [Int32](repeating: -1, count: y.count), naiveIndices = indices
    maxPool2dForward(input: x, output: &y, indices: &indices, planes: 2, geometry: g)
    naiveMaxPool2dForward(input: x, output: &naiveY, indices: &naiveIndices, planes: 2, geometry: g)
    #expect(y.contains { $0.isNaN } && naiveY.contains { $0.isNaN })
    #expect(zip(y, naiveY).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) })
    #expect(indices == naiveIndices)
    let whole = Pool2dGeometry(inputHeight: 2, inputWidth: 2, kernel: (2, 2), stride: (1, 1), padding: (0, 0))
    var one: [Float] = [0], index: [Int32] = [-1]
    maxPool2dForward(input: [1, .nan, 3, .nan], output: &one, indices: &index, planes: 1, geometry: whole)
    #expect(one[0].isNaN && index == [3])
  }

  @Test(arguments: poolCases)
  func avgPoolMatchesNaiveReference(_ pool: PoolCase) {
    let g = pool.geometry
    let x = randomValues(planes * g.inputHeight * g.inputWidth, seed: 3)
    let dy = randomValues(planes * g.outputHeight * g.outputWidth, seed: 4)
    var y = dy, naiveY = dy, dx = x, naiveDx = x
    avgPool2dForward(input: x, output: &y, planes: planes, geometry: g)
    naiveAvgPool2dForward(input: x, output: &naiveY, planes: planes, geometry: g)
    avgPool2dBackward(gradOutput: dy, gradInput: &dx, planes: planes, geometry: g)
    naiveAvgPool2dBackward(gradOutput: dy, gradInput: &naiveDx, planes: planes, geometry: g)
    #expect(maxRelativeError(y, naiveY) < 1e-6)
    #expect(maxRelativeError(dx, naiveDx) < 1e-6)
  }

  @Test func avgPoolCountsPaddingInTheDivisor() {
    // count_include_pad: the corner window of a 2×2 ones plane (k3 s1 p1) covers 4 ones of 9 cells.
    let g = Pool2dGeometry(inputHeight: 2, inputWidth: 2, kernel: (3, 3), stride: (1, 1), padding: (1, 1))
    var y = [Float](repeating: 0, count: 4)
    avgPool2dForward(input: [Float](repeating: 1, count: 4), output: &y, planes: 1, geometry: g)
    #expect(y == [Float](repeating: 4.0 / 9.0, count: 4))
  }

  @Test(arguments: adaptiveCases)
  func adaptiveAvgPoolMatchesNaiveReference(height: Int, width: Int, outH: Int, outW: Int) {
    let x = randomValues(planes * height * width, seed: 5)
    let dy = randomValues(planes * outH * outW, seed: 6)
    var y = dy, naiveY = dy, dx = x, naiveDx = x
    adaptiveAvgPool2dForward(input: x, output: &y, planes: planes, inputHeight: height,
                             inputWidth: width, outputHeight: outH, outputWidth: outW)
    naiveAdaptiveAvgPool2dForward(input: x, output: &naiveY, planes: planes, inputHeight: height,
                                  inputWidth: width, outputHeight: outH, outputWidth: outW)
    adaptiveAvgPool2dBackward(gradOutput: dy, gradInput: &dx, planes: planes, inputHeight: height,
                              inputWidth: width, outputHeight: outH, outputWidth: outW)
    naiveAdaptiveAvgPool2dBackward(gradOutput: dy, gradInput: &naiveDx, planes: planes,
                                   inputHeight: height, inputWidth: width, outputHeight: outH,
                                   outputWidth: outW)
    #expect(maxRelativeError(y, naiveY) < 1e-6)
    #expect(maxRelativeError(dx, naiveDx) < 1e-6)
  }

  @Test func adaptiveWindowsFollowPyTorchsRule() {
    // 5 → 3: windows [0, 2), [1, 4), [3, 5) (start ⌊i·5/3⌋, end ⌈(i+1)·5/3⌉).
    let x: [Float] = [1, 2, 3, 4, 5]
    var y: [Float] = [0, 0, 0]
    adaptiveAvgPool2dForward(input: x, output: &y, planes: 1, inputHeight: 1, inputWidth: 5,
                             outputHeight: 1, outputWidth: 3)
    #expect(y == [1.5, 3, 4.5])
  }

  @Test func poolingIsBitIdenticalForOneAndTwoThreads() {
    let g = poolCases[0].geometry, planes = 6
    let x = randomValues(planes * g.inputHeight * g.inputWidth, seed: 7)
    let dy = randomValues(planes * g.outputHeight * g.outputWidth, seed: 8)
    func run() -> [Float] {
      var maxY = dy, avgY = dy, globalY = [Float](repeating: 0, count: planes)
      var maxDx = x, avgDx = x, globalDx = x
      var indices = [Int32](repeating: 0, count: dy.count)
      maxPool2dForward(input: x, output: &maxY, indices: &indices, planes: planes, geometry: g)
      maxPool2dBackward(gradOutput: dy, indices: indices, gradInput: &maxDx, planes: planes, geometry: g)
      avgPool2dForward(input: x, output: &avgY, planes: planes, geometry: g)
      avgPool2dBackward(gradOutput: dy, gradInput: &avgDx, planes: planes, geometry: g)
      adaptiveAvgPool2dForward(input: x, output: &globalY, planes: planes, inputHeight: 7,
                               inputWidth: 7, outputHeight: 1, outputWidth: 1)
      adaptiveAvgPool2dBackward(gradOutput: dy, gradInput: &globalDx, planes: planes,
                                inputHeight: 7, inputWidth: 7, outputHeight: 1, outputWidth: 1)
      return maxY + maxDx + avgY + avgDx + globalY + globalDx
    }
    #expect(withThreadCount(1, run) == withThreadCount(2, run))
  }
}
