import Engine
import Kernels
import Testing
import TestSupport

/// Central differences of every input and parameter of the face losses: the embedding and the
/// head weight (through the weight normalisation), for both ArcFace branches; the center loss's
/// embedding gradient. (The centres are not parameters: Wen et al.'s rule moves them, see
/// FaceLossReferenceTests and the fixture.)
@Suite struct FaceLossGradientTests {
  @Test func amSoftmaxGradientsMatchFiniteDifferences() throws {
    let x = randomTensor([6, 5], seed: 41, in: -2...2), weight = randomTensor([4, 5], seed: 42)
    let labels = randomLabels(6, classes: 4, seed: 43)
    let analytic = try runAMSoftmax(x: x, weight: weight, labels: labels, scale: 7.5, margin: 0.35)
    let value = { amSoftmaxValue(x: x, weight: weight, labels: labels, scale: 7.5, margin: 0.35) }
    let numericX = finiteDifferenceGradient(at: x.pointer, count: x.count, step: 1e-3, of: value)
    let numericW = finiteDifferenceGradient(at: weight.pointer, count: weight.count, step: 1e-3, of: value)
    #expect(maxScaledError(analytic.gradInput, numericX) < 1e-2)
    #expect(maxScaledError(analytic.gradWeight, numericW) < 1e-2)
  }

  @Test func arcFaceGradientsMatchFiniteDifferencesOnBothBranches() throws {
    let inputs = arcFaceInputs(batch: 6, dims: 5, classes: 4, seed: 51, fallbackRows: 2)
    let (x, weight, labels) = inputs
    #expect(naiveArcFaceRun(x: x, weight: weight, labels: labels, scale: 8, margin: 0.5).fallbacks == 2)
    let analytic = try runArcFace(x: x, weight: weight, labels: labels, scale: 8, margin: 0.5)
    let value = { arcFaceValue(x: x, weight: weight, labels: labels, scale: 8, margin: 0.5) }
    let numericX = finiteDifferenceGradient(at: x.pointer, count: x.count, step: 1e-3, of: value)
    let numericW = finiteDifferenceGradient(at: weight.pointer, count: weight.count, step: 1e-3, of: value)
    #expect(maxScaledError(analytic.gradInput, numericX) < 1e-2)
    #expect(maxScaledError(analytic.gradWeight, numericW) < 1e-2)
  }

  @Test func centerLossGradientMatchesFiniteDifferences() throws {
    let x = randomTensor([7, 4], seed: 61, in: -2...2), centers = randomTensor([3, 4], seed: 62)
    let labels = randomLabels(7, classes: 3, seed: 63)
    let tap = CenterLossTap(classes: 3, dims: 4, lambda: 0.5, alpha: 0.5)
    tap.centers.assign(centers)
    try tap.prepare(labels: labels)
    _ = tap.forward(x, mode: .train)
    let analytic = tap.backward(Tensor(zeros: [7, 4])).values
    let numeric = finiteDifferenceGradient(at: x.pointer, count: x.count, step: 1e-2) {
      _ = tap.forward(x, mode: .train)
      return Double(tap.lastWeightedLoss!)
    }
    #expect(maxScaledError(analytic, numeric) < 1e-3)
  }

  @Test func l2NormalizeAndCosineHeadsMatchFiniteDifferences() {
    let normalize = L2Normalize()
    let checked = layerGradientErrors(normalize, input: randomTensor([4, 6], seed: 71, in: -2...2), step: 1e-3)
    #expect(checked.input < 1e-2)
    for bound in [CosineBound.featureNorm, .unit] {
      let head = CosineLinear(inFeatures: 6, outFeatures: 5, bound: bound)
      var generator = SeededGenerator(seed: 72)
      head.resetParameters(using: &generator)
      let input = bound == .unit ? normalize.forward(randomTensor([4, 6], seed: 73), mode: .eval).copy()
        : randomTensor([4, 6], seed: 73, in: -2...2)
      let errors = layerGradientErrors(head, input: input, step: 1e-3)
      #expect(errors.input < 1e-2, "\(bound)")
      #expect(errors.parameters.map(\.name) == ["weight"])
      #expect(errors.parameters.allSatisfy { $0.error < 1e-2 }, "\(bound): \(errors.parameters)")
    }
  }
}
