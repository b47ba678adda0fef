import Engine
import Kernels
import Testing
import TestSupport

/// Zero norms, clamps, labels and the trainer's wiring of the face losses.
@Suite struct FaceLossEdgeCaseTests {
  /// A zero embedding row and a zero class vector: finite logits (0 for them), finite loss and
  /// gradients for both heads; the zero class vector and ArcFace's zero embedding get a zero
  /// gradient, AM-Softmax's zero embedding gets Σ g·ŵ_j (its logits x·ŵ_j are linear in x).
  @Test func zeroNormsGiveNoNaN() throws {
    let x = randomTensor([4, 6], seed: 81, in: -2...2), weight = randomTensor([5, 6], seed: 82)
    for i in 0..<6 { x[1 * 6 + i] = 0; weight[2 * 6 + i] = 0 }
    let labels: [Int32] = [0, 1, 2, 4]
    let am = try runAMSoftmax(x: x, weight: weight, labels: labels, scale: 7.5, margin: 0.35)
    let arc = try runArcFace(x: x, weight: weight, labels: labels, scale: 64, margin: 0.5)
    for run in [am, arc] {
      #expect(run.loss.isFinite)
      #expect(run.gradInput.allSatisfy(\.isFinite) && run.gradWeight.allSatisfy(\.isFinite))
      #expect(run.gradWeight[12..<18].allSatisfy { $0 == 0 })
    }
    #expect(arc.gradInput[6..<12].allSatisfy { $0 == 0 })
    #expect(am.gradInput[6..<12].contains { $0 != 0 })
    let reference = naiveAMSoftmaxRun(x: x, weight: weight, labels: labels, scale: 7.5, margin: 0.35)
    #expect(maxScaledError(am.gradInput, reference.dx) < 1e-5 && maxScaledError(am.gradWeight, reference.dw) < 1e-5)
    let arcReference = naiveArcFaceRun(x: x, weight: weight, labels: labels, scale: 64, margin: 0.5)
    #expect(abs(Double(arc.loss) - arcReference.loss) <= 1e-5 * arcReference.loss)
    #expect(maxScaledError(arc.gradInput, arcReference.dx) < 1e-4 && maxScaledError(arc.gradWeight, arcReference.dw) < 1e-4)

    let head = CosineLinear(inFeatures: 6, outFeatures: 5, bound: .featureNorm)
    head.weight.value.assign(weight)
    let z = head.forward(x, mode: .train).values
    #expect(z[5..<10].allSatisfy { $0 == 0 } && z[2] == 0)
  }

  /// An embedding exactly on a class vector: the cosine may round past 1 and is clamped;
  /// φ'(1) is finite, and so is everything else.
  @Test func alignedEmbeddingStaysFinite() throws {
    let weight = randomTensor([3, 4], seed: 91)
    let x = Tensor(shape: [2, 4], values: Array(weight.values[0..<4]).map { $0 * 3 } + Array(weight.values[4..<8]))
    let run = try runArcFace(x: x, weight: weight, labels: [0, 1], scale: 64, margin: 0.5)
    #expect(run.loss.isFinite && run.gradInput.allSatisfy(\.isFinite) && run.gradWeight.allSatisfy(\.isFinite))
    let head = CosineLinear(inFeatures: 4, outFeatures: 3, bound: .featureNorm)
    head.weight.value.assign(weight)
    let z = head.forward(x, mode: .train)
    let norm = (0..<4).map { Double(x[$0]) * Double(x[$0]) }.reduce(0, +).squareRoot()
    #expect(abs(Double(z[0])) <= Double(Float(norm)) * (1 + 1e-6))
  }

  /// The margin losses reject a bad label as softmax does, and count top-1 on the head's output
  /// rather than on the margin-adjusted logits.
  @Test func marginLossesValidateLabelsAndCountOnTheRawOutput() throws {
    let logits = Tensor(shape: [2, 3], values: [0.5, 0.4, 0.1, 0.2, 0.3, 0.9])
    for loss: any ClassificationLoss in [AMSoftmaxLoss(), ArcFaceLoss()] {
      #expect(throws: LabelOutOfRangeError(index: 1, label: 3, classes: 3)) {
        _ = try loss.forward(logits: logits, labels: [0, 3])
      }
      _ = try loss.forward(logits: logits, labels: [0, 2])
      #expect(loss.correct == 2)  // a 0.35 or 0.5 margin would flip row 0's prediction
    }
  }

  /// A center-loss tap rejects a bad label before anything runs, and the L2 normalisation of
  /// ArcFace's embedding gives unit rows.
  @Test func centerTapValidatesLabelsAndNormalisationGivesUnitRows() {
    let tap = CenterLossTap(classes: 3, dims: 2)
    #expect(throws: LabelOutOfRangeError(index: 0, label: -1, classes: 3)) { try tap.prepare(labels: [-1, 0]) }
    let normalized = L2Normalize().forward(randomTensor([5, 7], seed: 95, in: -4...4), mode: .train)
    for row in 0..<5 {
      let norm = (0..<7).map { Double(normalized[row * 7 + $0]) * Double(normalized[row * 7 + $0]) }.reduce(0, +)
      #expect(abs(norm - 1) < 1e-6)
    }
  }
}
