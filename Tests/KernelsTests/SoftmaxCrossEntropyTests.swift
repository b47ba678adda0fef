import Kernels
import Testing
import TestSupport

@Suite struct SoftmaxCrossEntropyTests {
  /// (batch, classes)
  @Test(arguments: [(1, 2), (7, 10), (16, 100), (3, 1)])
  func softmaxCrossEntropyMatchesNaiveReference(batch: Int, classes: Int) throws {
    let logits = randomValues(batch * classes, seed: 1, in: -6...6)
    let labels = randomLabels(batch, classes: classes, seed: 2)
    var probabilities = logits, grad = logits, naiveGrad = logits
    let (loss, correct) = try softmaxCrossEntropyForward(
      logits: logits, labels: labels, probabilities: &probabilities, batch: batch, classes: classes)
    softmaxCrossEntropyBackward(probabilities: probabilities, labels: labels, gradLogits: &grad,
                                batch: batch, classes: classes)
    let naive = naiveSoftmaxCrossEntropy(logits: logits, labels: labels, gradLogits: &naiveGrad,
                                         batch: batch, classes: classes)
    #expect(abs(Double(loss) - naive.loss) <= 1e-6 * max(1, naive.loss))
    #expect(correct == naive.correct)
    #expect(maxScaledError(grad, naiveGrad) < 1e-5)
  }

  @Test func hugeLogitsStayFiniteAndMatchTheStableReference() throws {
    let logits: [Float] = [1e4, -1e4, 0, -1e4, 1e4, 1e4, 5e3, -5e3, -1e4]
    let labels: [Int32] = [0, 0, 2]
    var probabilities = logits, grad = logits, naiveGrad = logits
    let (loss, correct) = try softmaxCrossEntropyForward(
      logits: logits, labels: labels, probabilities: &probabilities, batch: 3, classes: 3)
    softmaxCrossEntropyBackward(probabilities: probabilities, labels: labels, gradLogits: &grad,
                                batch: 3, classes: 3)
    let naive = naiveSoftmaxCrossEntropy(logits: logits, labels: labels, gradLogits: &naiveGrad,
                                         batch: 3, classes: 3)
    // Row losses: ≈0 (label holds the maximum); 2e4 + log 2 (label −1e4 against two tied 1e4);
    // 1.5e4 (label −1e4 against a dominant 5e3).
    let expected = (0 + (2e4 + logOf2) + 1.5e4) / 3
    #expect(loss.isFinite && grad.allSatisfy(\.isFinite))
    #expect(abs(Double(loss) - naive.loss) <= 1e-6 * naive.loss)
    #expect(abs(Double(loss) - expected) <= 1e-6 * expected)
    #expect(maxScaledError(grad, naiveGrad) < 1e-6)
    #expect(correct == 1)  // row 1's first maximum is class 1, not its label 0
  }

  @Test func backwardScalesTheGradient() throws {
    let logits = randomValues(12, seed: 3), labels: [Int32] = [1, 0, 3]
    var probabilities = logits, unit = logits, scaled = logits
    _ = try softmaxCrossEntropyForward(logits: logits, labels: labels, probabilities: &probabilities,
                                       batch: 3, classes: 4)
    softmaxCrossEntropyBackward(probabilities: probabilities, labels: labels, gradLogits: &unit,
                                batch: 3, classes: 4)
    softmaxCrossEntropyBackward(probabilities: probabilities, labels: labels, gradLogits: &scaled,
                                batch: 3, classes: 4, scale: 0.25)
    #expect(maxRelativeError(scaled, unit.map { $0 * 0.25 }) < 1e-6)
    // Each row of (softmax − onehot) sums to zero.
    for row in 0..<3 { #expect(abs((0..<4).reduce(Float(0)) { $0 + unit[row * 4 + $1] }) < 1e-6) }
  }

  @Test(arguments: [Int32(5), -1, 3])
  func labelOutOfRangeThrowsNamingIndexLabelAndClassCount(bad: Int32) {
    let logits = randomValues(9, seed: 4), labels: [Int32] = [0, bad, 1]
    var probabilities = logits
    #expect(throws: LabelOutOfRangeError(index: 1, label: bad, classes: 3)) {
      _ = try softmaxCrossEntropyForward(logits: logits, labels: labels,
                                         probabilities: &probabilities, batch: 3, classes: 3)
    }
    let message = LabelOutOfRangeError(index: 1, label: bad, classes: 3).description
    #expect(message == "label \(bad) at batch index 1 is out of range for 3 classes (expected 0..<3)")
  }

  @Test func softmaxCrossEntropyIsBitIdenticalForOneAndTwoThreads() throws {
    let (batch, classes) = (9, 13)
    let logits = randomValues(batch * classes, seed: 5, in: -4...4)
    let labels = randomLabels(batch, classes: classes, seed: 6)
    func run() throws -> [Float] {
      var probabilities = logits, grad = logits
      let (loss, correct) = try softmaxCrossEntropyForward(
        logits: logits, labels: labels, probabilities: &probabilities, batch: batch, classes: classes)
      softmaxCrossEntropyBackward(probabilities: probabilities, labels: labels, gradLogits: &grad,
                                  batch: batch, classes: classes)
      return [loss, Float(correct)] + grad
    }
    #expect(try withThreadCount(1, run) == withThreadCount(2, run))
  }
}

private let logOf2 = 0.693_147_180_559_945_3
