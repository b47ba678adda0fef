import Engine
import Kernels
import Testing
import TestSupport

@Suite struct AdaptiveAvgPool2dTests {
  /// (output h, w, input shape)
  @Test(arguments: [(1, 1, [2, 3, 4, 4]), (2, 3, [2, 2, 5, 7]), (3, 3, [1, 2, 4, 4])])
  func backwardMatchesFiniteDifference(outH: Int, outW: Int, shape: [Int]) {
    let pool = AdaptiveAvgPool2d(outputHeight: outH, outputWidth: outW)
    let errors = layerGradientErrors(pool, input: randomTensor(shape, seed: 1))
    #expect(errors.input < 1e-2)
  }

  @Test func globalAverageGivesOneValuePerChannel() throws {
    let pool = AdaptiveAvgPool2d(outputSize: 1)
    #expect(try pool.outputShape(for: [8, 2048, 7, 7]) == [8, 2048, 1, 1])
    let x = Tensor(shape: [1, 2, 2, 2], values: [1, 2, 3, 4, -1, -1, -1, 3])
    #expect(pool.forward(x, mode: .train).values == [2.5, 0])
    #expect(pool.backward(Tensor(shape: [1, 2, 1, 1], values: [4, 8])).values == [1, 1, 1, 1, 2, 2, 2, 2])
  }

  @Test func shapeErrorNamesTheLayerAndBothShapes() {
    #expect(throws: ShapeError(layer: "AdaptiveAvgPool2d", expected: "[n, c, h, w] with h, w ≥ 1", actual: [3, 4])) {
      try AdaptiveAvgPool2d(outputSize: 1).outputShape(for: [3, 4])
    }
  }
}
