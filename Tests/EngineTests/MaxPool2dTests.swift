import Engine
import Kernels
import Testing
import TestSupport

@Suite struct MaxPool2dTests {
  /// (kernel, stride, padding, input shape)
  @Test(arguments: [(3, 2, 1, [2, 3, 7, 7]), (2, 2, 0, [1, 2, 6, 5]), (3, 1, 1, [2, 2, 4, 5])])
  func backwardMatchesFiniteDifference(kernel: Int, stride: Int, padding: Int, shape: [Int]) {
    let pool = MaxPool2d(kernelSize: kernel, stride: stride, padding: padding)
    let errors = layerGradientErrors(pool, input: distinctTensor(shape, seed: 1))
    #expect(errors.input < 1e-2)
  }

  @Test func resnetStemHalvesTheResolution() throws {
    let pool = MaxPool2d(kernelSize: 3, stride: 2, padding: 1)
    #expect(try pool.outputShape(for: [8, 64, 32, 32]) == [8, 64, 16, 16])
    #expect(try pool.outputShape(for: [8, 64, 7, 7]) == [8, 64, 4, 4])
    #expect(pool.forward(randomTensor([2, 3, 9, 9], seed: 2), mode: .train).shape == [2, 3, 5, 5])
  }

  @Test func firstMaximumReceivesTheWholeGradient() {
    let pool = MaxPool2d(kernelSize: 2)
    _ = pool.forward(Tensor(shape: [1, 1, 2, 2], values: [1, 3, 3, 0]), mode: .train)
    #expect(pool.backward(Tensor(shape: [1, 1, 1, 1], values: [7])).values == [0, 7, 0, 0])
  }

  @Test func shapeErrorNamesTheLayerAndBothShapes() {
    let pool = MaxPool2d(kernelSize: 3)
    #expect(throws: ShapeError(layer: "MaxPool2d", expected: "[n, c, h, w] with h, w ≥ 3", actual: [1, 2, 2, 5])) {
      try pool.outputShape(for: [1, 2, 2, 5])
    }
    #expect(throws: ShapeError.self) { try pool.outputShape(for: [4, 5]) }
  }
}
