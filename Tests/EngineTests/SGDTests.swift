import Engine
import Testing
import TestSupport

@Suite struct SGDTests {
  /// Three steps computed by hand with PyTorch's update rule in Double.
  @Test func sgdFollowsPyTorchMomentumAndWeightDecay() {
    let p = Parameter(Tensor(shape: [3], values: [1, -2, 0.5]))
    let sgd = SGD(parameters: [("w", p)], learningRate: 0.1, momentum: 0.9, weightDecay: 5e-4)
    var w: [Double] = [1, -2, 0.5]
    var buf: [Double]? = nil
    let grads: [[Float]] = [[0.3, -0.1, 2], [0.2, 0.2, -1], [-0.5, 0, 0.25]]
    for g in grads {
      for i in 0..<3 { p.grad[i] = g[i] }
      sgd.step()
      let d = (0..<3).map { Double(g[$0]) + 5e-4 * w[$0] }
      let b = buf.map { old in (0..<3).map { 0.9 * old[$0] + d[$0] } } ?? d
      buf = b
      w = (0..<3).map { w[$0] - 0.1 * b[$0] }
    }
    #expect(maxRelativeError(p.value.values, w.map(Float.init)) < 1e-6)
    #expect(sgd.namedMomentumBuffers.map(\.name) == ["w"])
  }

  @Test func momentumBuffersRoundTripAndRejectMismatches() throws {
    let p = Parameter(Tensor(shape: [2], values: [1, 2]))
    let sgd = SGD(parameters: [("a.weight", p)], learningRate: 0.1)
    #expect(sgd.namedMomentumBuffers.isEmpty)
    try sgd.restoreMomentumBuffers(["a.weight": Tensor(shape: [2], values: [3, 4])])
    #expect(sgd.namedMomentumBuffers.first?.buffer.values == [3, 4])
    #expect(throws: OptimizerStateError.unknownParameter("b")) {
      try sgd.restoreMomentumBuffers(["b": Tensor(zeros: [2])])
    }
    #expect(throws: OptimizerStateError.shapeMismatch(name: "a.weight", expected: [2], actual: [3])) {
      try sgd.restoreMomentumBuffers(["a.weight": Tensor(zeros: [3])])
    }
  }

  @Test func stepScheduleMatchesMultiStepLR() {
    let s = StepSchedule(base: 0.1, milestones: [90, 30, 60], gamma: 0.1)
    #expect(s.rate(epoch: 0) == 0.1)
    #expect(s.rate(epoch: 29) == 0.1)
    #expect(s.rate(epoch: 30) == 0.1 * 0.1)
    #expect(s.rate(epoch: 60) == 0.1 * 0.1 * 0.1)
    #expect(s.rate(epoch: 99) == 0.1 * 0.1 * 0.1 * 0.1)
  }
}
