import Engine
import Kernels
import Testing
import TestSupport

@Suite struct AvgPool2dTests {
  /// (kernel, stride, padding, input shape)
  @Test(arguments: [(2, 2, 0, [2, 3, 6, 6]), (3, 2, 1, [1, 2, 7, 5]), (3, 1, 1, [2, 2, 4, 4])])
  func backwardMatchesFiniteDifference(kernel: Int, stride: Int, padding: Int, shape: [Int]) {
    let pool = AvgPool2d(kernelSize: kernel, stride: stride, padding: padding)
    let errors = layerGradientErrors(pool, input: randomTensor(shape, seed: 1))
    #expect(errors.input < 1e-2)
  }

  @Test func denseNetTransitionHalvesTheResolution() throws {
    let pool = AvgPool2d(kernelSize: 2, stride: 2)
    #expect(try pool.outputShape(for: [4, 128, 32, 32]) == [4, 128, 16, 16])
    #expect(try pool.outputShape(for: [4, 128, 7, 7]) == [4, 128, 3, 3])
    let y = pool.forward(Tensor(shape: [1, 1, 2, 2], values: [1, 2, 3, 6]), mode: .train)
    #expect(y.values == [3])
  }

  @Test func paddingCountsInTheAverage() {
    let pool = AvgPool2d(kernelSize: 3, stride: 1, padding: 1)
    let y = pool.forward(Tensor(shape: [1, 1, 1, 1], values: [9]), mode: .train)
    #expect(y.values == [1])  // 9 / 9 cells, 8 of them padding
  }

  @Test func shapeErrorNamesTheLayerAndBothShapes() {
    #expect(throws: ShapeError(layer: "AvgPool2d", expected: "[n, c, h, w] with h, w ≥ 2", actual: [1, 2, 1, 5])) {
      try AvgPool2d(kernelSize: 2).outputShape(for: [1, 2, 1, 5])
    }
  }
}
