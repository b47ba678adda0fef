import Engine
import Testing
import TestSupport

@Suite struct ProbeLayerTests {
  @Test func dropoutZeroesAndRescalesInTrainingAndIsIdentityInEval() {
    let dropout = Dropout(probability: 0.25, seed: 3)
    let x = randomTensor([4, 8, 8, 8], seed: 1, in: 1...2)
    let y = dropout.forward(x, mode: .train)
    let zeros = (0..<y.count).filter { y[$0] == 0 }.count
    // About a quarter dropped; survivors scaled by 1/(1 − p).
    #expect(abs(Double(zeros) / Double(y.count) - 0.25) < 0.03)
    #expect((0..<y.count).allSatisfy { y[$0] == 0 || abs(y[$0] - x[$0] / 0.75) < 1e-6 })
    let dy = randomTensor(x.shape, seed: 2)
    let dx = dropout.backward(dy)
    #expect((0..<dx.count).allSatisfy { abs(dx[$0] - (y[$0] == 0 ? 0 : dy[$0] / 0.75)) < 1e-6 })
    #expect(dropout.forward(x, mode: .eval) === x)
    // The mask stream is seeded: the same seed drops the same elements.
    let again = Dropout(probability: 0.25, seed: 3).forward(x, mode: .train)
    #expect(again.values == y.values)
  }

  @Test func stageProbeIsAnIdentityThatRecordsShapeAndCorrelation() throws {
    let probe = StageProbe(label: "S2")
    #expect(try probe.outputShape(for: [2, 3, 4, 4]) == [2, 3, 4, 4])
    #expect(probe.lastShape == [2, 3, 4, 4])
    let x = randomTensor([4, 3, 2, 2], seed: 9)
    #expect(probe.forward(x, mode: .train) === x)
    #expect(probe.lastMeanAbsoluteCorrelation == nil)
    probe.recordsCorrelationInEval = true
    _ = probe.forward(x, mode: .eval)
    let statistic = try #require(probe.lastMeanAbsoluteCorrelation)
    #expect(statistic > 0 && statistic <= 1)
    let g = randomTensor(x.shape, seed: 10)
    #expect(probe.backward(g) === g)
  }

  @Test func featureHookKeepsTheLastInput() {
    let hook = FeatureHook()
    let x = randomTensor([2, 5], seed: 4)
    #expect(hook.forward(x, mode: .train) === x)
    #expect(hook.lastFeatures === x)
  }
}
