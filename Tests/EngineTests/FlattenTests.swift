import Engine
import Testing
import TestSupport

@Suite struct FlattenTests {
  @Test func forwardAndBackwardAreViewsWithoutCopies() {
    let flatten = Flatten()
    let x = randomTensor([3, 4, 1, 1], seed: 1)
    let y = flatten.forward(x, mode: .train)
    #expect(y.shape == [3, 4] && y.pointer == x.pointer)
    #expect(flatten.forward(x, mode: .train) === y)  // the view object is reused too
    let dy = randomTensor([3, 4], seed: 2)
    let dx = flatten.backward(dy)
    #expect(dx.shape == [3, 4, 1, 1] && dx.pointer == dy.pointer)
  }

  @Test func flattensEverythingAfterTheBatch() throws {
    #expect(try Flatten().outputShape(for: [2, 3, 4, 5]) == [2, 60])
    #expect(throws: ShapeError(layer: "Flatten", expected: "[n, d1, …] (rank ≥ 2)", actual: [7])) {
      try Flatten().outputShape(for: [7])
    }
  }
}
