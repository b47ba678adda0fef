import Engine
import Kernels

/// A tensor of uniform values in `range`, fixed by `seed`.
public func randomTensor(_ shape: [Int], seed: UInt64, in range: ClosedRange<Float> = -1...1) -> Tensor {
  var generator = SeededGenerator(seed: seed, stream: [SeededGenerator.label("test-tensor")])
  let t = Tensor(zeros: shape)
  for i in 0..<t.count { t[i] = generator.nextFloat(in: range.lowerBound, range.upperBound) }
  return t
}

/// Uniform values in `range`, fixed by `seed`.
public func randomValues(_ count: Int, seed: UInt64, in range: ClosedRange<Float> = -1...1) -> [Float] {
  randomTensor([count], seed: seed, in: range).values
}

/// Labels in 0..<classes, fixed by `seed`.
public func randomLabels(_ count: Int, classes: Int, seed: UInt64) -> [Int32] {
  var generator = SeededGenerator(seed: seed, stream: [SeededGenerator.label("test-labels")])
  return (0..<count).map { _ in Int32(generator.next() % UInt64(classes)) }
}
