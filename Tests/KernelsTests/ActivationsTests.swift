import Kernels
import Testing
import TestSupport

@Suite struct ActivationsTests {
  /// Random values plus the boundaries and a NaN, which PyTorch propagates forward.
  private static func inputs(_ count: Int, seed: UInt64) -> [Float] {
    randomValues(count, seed: seed, in: -8...8) + [0, -0.0, 6, -1e-7, 6.000001, 5.999999, .nan, .infinity, -.infinity]
  }

  /// NaN-aware equality: both NaN, or bit-for-bit equal values (0 and −0 compare equal).
  private static func same(_ a: [Float], _ b: [Float]) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) }
  }

  @Test(arguments: [1, 31, 40_000])
  func reluMatchesNaiveReference(count: Int) {
    let x = Self.inputs(count, seed: 1), dy = randomValues(x.count, seed: 2)
    var y = x, naiveY = x, dx = x, naiveDx = x
    reluForward(input: x, output: &y, count: x.count)
    naiveReLUForward(input: x, output: &naiveY, count: x.count)
    reluBackward(output: y, gradOutput: dy, gradInput: &dx, count: x.count)
    naiveReLUBackward(output: naiveY, gradOutput: dy, gradInput: &naiveDx, count: x.count)
    #expect(Self.same(y, naiveY))
    #expect(Self.same(dx, naiveDx))
  }

  @Test(arguments: [1, 31, 40_000])
  func relu6MatchesNaiveReference(count: Int) {
    let x = Self.inputs(count, seed: 3), dy = randomValues(x.count, seed: 4)
    var y = x, naiveY = x, dx = x, naiveDx = x
    relu6Forward(input: x, output: &y, count: x.count)
    naiveReLU6Forward(input: x, output: &naiveY, count: x.count)
    relu6Backward(input: x, gradOutput: dy, gradInput: &dx, count: x.count)
    naiveReLU6Backward(input: x, gradOutput: dy, gradInput: &naiveDx, count: x.count)
    #expect(Self.same(y, naiveY))
    #expect(Self.same(dx, naiveDx))
  }

  @Test func relu6BoundariesFollowPyTorch() {
    // hardtanh_backward passes the gradient only strictly inside (0, 6).
    let x: [Float] = [-1, 0, 1e-6, 3, 5.999999, 6, 7]
    let dy = [Float](repeating: 1, count: x.count)
    var y = x, dx = x
    relu6Forward(input: x, output: &y, count: x.count)
    relu6Backward(input: x, gradOutput: dy, gradInput: &dx, count: x.count)
    #expect(y == [0, 0, 1e-6, 3, 5.999999, 6, 6])
    #expect(dx == [0, 0, 1, 1, 1, 0, 0])
  }

  @Test func reluBackwardPassesOnlyWherePositive() {
    let x: [Float] = [-2, 0, 1e-30, 3]
    var y = x, dx = x
    reluForward(input: x, output: &y, count: x.count)
    reluBackward(output: y, gradOutput: [5, 5, 5, 5], gradInput: &dx, count: x.count)
    #expect(y == [0, 0, 1e-30, 3])
    #expect(dx == [0, 0, 5, 5])
  }

  @Test func activationsAreBitIdenticalForOneAndTwoThreads() {
    let x = randomValues(50_000, seed: 5, in: -8...8), dy = randomValues(x.count, seed: 6)
    func run() -> [Float] {
      var y = x, dx = x, y6 = x, dx6 = x
      reluForward(input: x, output: &y, count: x.count)
      reluBackward(output: y, gradOutput: dy, gradInput: &dx, count: x.count)
      relu6Forward(input: x, output: &y6, count: x.count)
      relu6Backward(input: x, gradOutput: dy, gradInput: &dx6, count: x.count)
      return y + dx + y6 + dx6
    }
    #expect(withThreadCount(1, run) == withThreadCount(2, run))
  }
}
