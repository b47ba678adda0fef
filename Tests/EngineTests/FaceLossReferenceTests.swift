import Engine
import Kernels
import Testing
import TestSupport

/// The engine's face losses (layers + kernels) against the naive Double references of Kernels,
/// written from the definitions, on random shapes.
@Suite struct FaceLossReferenceTests {
  static let shapes: [(batch: Int, dims: Int, classes: Int)] = [(1, 3, 2), (5, 7, 4), (16, 33, 10), (9, 64, 31)]

  @Test(arguments: 0..<4) func amSoftmaxMatchesTheReference(shape index: Int) throws {
    let (batch, dims, classes) = Self.shapes[index]
    let seed = UInt64(10 + index)
    let x = randomTensor([batch, dims], seed: seed, in: -3...3), weight = randomTensor([classes, dims], seed: seed + 1)
    let labels = randomLabels(batch, classes: classes, seed: seed + 2)
    let ours = try runAMSoftmax(x: x, weight: weight, labels: labels, scale: 7.5, margin: 0.35)
    let reference = naiveAMSoftmaxRun(x: x, weight: weight, labels: labels, scale: 7.5, margin: 0.35)
    #expect(abs(Double(ours.loss) - reference.loss) <= 1e-5 * max(1, reference.loss))
    #expect(ours.correct == reference.correct)
    // The floor: a confidently right row's gradient s·(p − 1) is tiny and keeps only float32's
    // absolute precision (about s × 1e-7), as softmax cross-entropy's does.
    #expect(maxScaledError(ours.gradInput, reference.dx, floor: 1e-2) < 1e-4)
    #expect(maxScaledError(ours.gradWeight, reference.dw, floor: 1e-2) < 1e-4)
  }

  @Test(arguments: 0..<4) func arcFaceMatchesTheReference(shape index: Int) throws {
    let (batch, dims, classes) = Self.shapes[index]
    let inputs = arcFaceInputs(batch: batch, dims: dims, classes: classes, seed: UInt64(20 + index),
                               fallbackRows: batch / 3)
    for scale: Float in [64, 15] {
      let ours = try runArcFace(x: inputs.x, weight: inputs.weight, labels: inputs.labels, scale: scale, margin: 0.5)
      let reference = naiveArcFaceRun(x: inputs.x, weight: inputs.weight, labels: inputs.labels,
                                      scale: Double(scale), margin: 0.5)
      #expect(reference.fallbacks == batch / 3)
      #expect(abs(Double(ours.loss) - reference.loss) <= 1e-5 * max(1, reference.loss))
      #expect(maxScaledError(ours.gradInput, reference.dx) < 1e-4)
      #expect(maxScaledError(ours.gradWeight, reference.dw) < 1e-4)
    }
  }

  @Test(arguments: 0..<4) func centerLossMatchesTheReference(shape index: Int) throws {
    let (batch, dims, classes) = Self.shapes[index]
    let seed = UInt64(30 + index)
    let x = randomTensor([batch, dims], seed: seed, in: -2...2)
    let centers = randomTensor([classes, dims], seed: seed + 1)
    let labels = randomLabels(batch, classes: classes, seed: seed + 2)
    let tap = CenterLossTap(classes: classes, dims: dims, lambda: 0.25, alpha: 0.5)
    tap.centers.assign(centers)
    try tap.prepare(labels: labels)
    #expect(tap.forward(x, mode: .train) === x)
    let upstream = randomTensor([batch, dims], seed: seed + 3)
    let dx = tap.backward(upstream).values
    tap.updateCenters()

    var referenceGradient = [Float](repeating: 0, count: x.count)
    var referenceCenters = [Float](repeating: 0, count: centers.count)
    let reference = naiveCenterLoss(features: x.pointer, centers: centers.pointer, labels: labels,
                                    gradInput: &referenceGradient, newCenters: &referenceCenters,
                                    batch: batch, classes: classes, dims: dims, lambda: 0.25, alpha: 0.5)
    #expect(abs(Double(tap.lastLoss!) - reference) <= 1e-6 * max(1, reference))
    #expect(tap.lastWeightedLoss! == 0.25 * tap.lastLoss!)
    let expected = zip(upstream.values, referenceGradient).map { $0 + $1 }
    #expect(maxScaledError(dx, expected) < 1e-6)
    #expect(maxScaledError(tap.centers.values, referenceCenters) < 1e-6)
  }
}
