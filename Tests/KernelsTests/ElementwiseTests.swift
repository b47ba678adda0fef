import Kernels
import Testing
import TestSupport

/// (n, firstChannels, secondChannels, spatial)
private let concatCases = [(1, 1, 1, 1), (2, 3, 5, 7), (3, 16, 4, 9), (4, 2, 7, 1)]

@Suite struct ElementwiseTests {
  @Test(arguments: [1, 37, 40_000])
  func addAndAccumulateMatchNaiveReference(count: Int) {
    let a = randomValues(count, seed: 1), b = randomValues(count, seed: 2)
    var sum = [Float](repeating: 0, count: count), naiveSum = sum
    elementwiseAdd(a, b, into: &sum, count: count)
    naiveElementwiseAdd(a, b, into: &naiveSum, count: count)
    #expect(sum == naiveSum)
    var accumulated = a
    accumulate(b, into: &accumulated, count: count)
    #expect(accumulated == naiveSum)
  }

  /// The residual sum with its activation in one pass has the bits of the sum followed by the
  /// activation's own kernel: around 0 and 6, at both, and for NaN.
  @Test(arguments: [ClampedActivation.relu, .relu6], [5, 40_000])
  func addWithActivationEqualsAddThenActivation(activation: ClampedActivation, count: Int) {
    var a = randomValues(count, seed: 11).map { $0 * 8 }, b = randomValues(count, seed: 12)
    a[0] = 0; b[0] = 0
    a[1] = 5; b[1] = 1
    a[2] = .nan
    a[3] = -1; b[3] = 1
    var fused = [Float](repeating: 0, count: count), separate = fused
    elementwiseAdd(a, b, into: &fused, count: count, activation: activation)
    elementwiseAdd(a, b, into: &separate, count: count)
    switch activation {
    case .relu: reluForward(input: separate, output: &separate, count: count)
    case .relu6: relu6Forward(input: separate, output: &separate, count: count)
    }
    #expect(fused.map(\.bitPattern) == separate.map(\.bitPattern))
    #expect(fused.contains(0) && (activation == .relu || fused.contains(6)) && fused[2].isNaN)
  }

  @Test(arguments: concatCases)
  func concatenateAndSplitMatchNaiveReference(n: Int, c1: Int, c2: Int, spatial: Int) {
    let first = randomValues(n * c1 * spatial, seed: 3), second = randomValues(n * c2 * spatial, seed: 4)
    var joined = [Float](repeating: 0, count: first.count + second.count), naiveJoined = joined
    concatenateChannels(first: first, firstChannels: c1, second: second, secondChannels: c2,
                        output: &joined, n: n, spatial: spatial)
    naiveConcatenateChannels(first: first, firstChannels: c1, second: second, secondChannels: c2,
                             output: &naiveJoined, n: n, spatial: spatial)
    #expect(joined == naiveJoined)

    // The backward's two slices: the leading channels accumulated into a gradient, the trailing
    // ones copied.
    let gradient = randomValues(joined.count, seed: 5)
    var gradFirst = randomValues(first.count, seed: 10), gradSecond = [Float](repeating: 0, count: second.count)
    var naiveFirst = gradFirst, naiveSecond = gradSecond
    let total = c1 + c2
    sliceChannels(gradient, totalChannels: total, channels: 0..<c1, into: &gradFirst, accumulating: true,
                  n: n, spatial: spatial)
    sliceChannels(gradient, totalChannels: total, channels: c1..<total, into: &gradSecond, n: n, spatial: spatial)
    naiveSliceChannels(gradient, totalChannels: total, channels: 0..<c1, into: &naiveFirst,
                       accumulating: true, n: n, spatial: spatial)
    naiveSliceChannels(gradient, totalChannels: total, channels: c1..<total, into: &naiveSecond,
                       n: n, spatial: spatial)
    #expect(gradFirst == naiveFirst)
    #expect(gradSecond == naiveSecond)
  }

  @Test func slicesUndoConcatenate() {
    let first = randomValues(2 * 3 * 4, seed: 6), second = randomValues(2 * 5 * 4, seed: 7)
    var joined = [Float](repeating: 0, count: first.count + second.count)
    concatenateChannels(first: first, firstChannels: 3, second: second, secondChannels: 5,
                        output: &joined, n: 2, spatial: 4)
    var a = [Float](repeating: 0, count: first.count), b = [Float](repeating: 0, count: second.count)
    sliceChannels(joined, totalChannels: 8, channels: 0..<3, into: &a, n: 2, spatial: 4)
    sliceChannels(joined, totalChannels: 8, channels: 3..<8, into: &b, n: 2, spatial: 4)
    #expect(a == first)
    #expect(b == second)
  }

  @Test func joinsAreBitIdenticalForOneAndTwoThreads() {
    let a = randomValues(50_000, seed: 8), b = randomValues(50_000, seed: 9)
    func run() -> [Float] {
      var sum = a, accumulated = a, joined = a + b
      elementwiseAdd(a, b, into: &sum, count: a.count)
      accumulate(b, into: &accumulated, count: a.count)
      concatenateChannels(first: a, firstChannels: 10, second: b, secondChannels: 10,
                          output: &joined, n: 5, spatial: 1000)
      return sum + accumulated + joined
    }
    #expect(withThreadCount(1, run) == withThreadCount(2, run))
  }
}
