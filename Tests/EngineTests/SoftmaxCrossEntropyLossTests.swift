import Engine
import Kernels
import Testing
import TestSupport

@Suite struct SoftmaxCrossEntropyLossTests {
  @Test func gradientMatchesFiniteDifference() throws {
    let loss = SoftmaxCrossEntropy()
    let logits = randomTensor([5, 7], seed: 1, in: -3...3)
    let labels = randomLabels(5, classes: 7, seed: 2)
    _ = try loss.forward(logits: logits, labels: labels)
    let analytic = loss.backward().values
    let numeric = finiteDifferenceGradient(at: logits.pointer, count: logits.count) {
      Double(try! loss.forward(logits: logits, labels: labels))
    }
    #expect(maxScaledError(analytic, numeric) < 1e-2)
  }

  @Test func countsTopOneCorrectAndScalesTheGradient() throws {
    let loss = SoftmaxCrossEntropy()
    let logits = Tensor(shape: [3, 3], values: [3, 1, 0, 0, 2, 5, 1, 1, 0])
    let value = try loss.forward(logits: logits, labels: [0, 1, 1])
    #expect(loss.correct == 1)  // row 2 ties classes 0 and 1: the first (0) is the prediction
    #expect(value > 0 && value.isFinite)
    let half = loss.backward(scale: 0.5).values
    let full = loss.backward().values
    #expect(maxRelativeError(half, full.map { $0 / 2 }) < 1e-6)
  }

  @Test func hugeLogitsStayFinite() throws {
    let loss = SoftmaxCrossEntropy()
    let value = try loss.forward(logits: Tensor(shape: [2, 2], values: [1e4, -1e4, -1e4, 1e4]), labels: [1, 1])
    #expect(abs(value - 1e4) <= 1e-2)  // rows lose 2e4 and 0
    #expect(loss.backward().values == [0.5, -0.5, 0, 0])
  }

  @Test func labelOutOfRangeThrowsAClearError() {
    let loss = SoftmaxCrossEntropy()
    let logits = randomTensor([4, 10], seed: 3)
    do {
      _ = try loss.forward(logits: logits, labels: [1, 2, 10, 3])
      Issue.record("expected a LabelOutOfRangeError")
    } catch {
      #expect(error == LabelOutOfRangeError(index: 2, label: 10, classes: 10))
      #expect(error.description == "label 10 at batch index 2 is out of range for 10 classes (expected 0..<10)")
    }
  }
}
