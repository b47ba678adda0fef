import Engine
import Foundation
import Testing
import TestSupport

/// The face losses against PyTorch's autograd through the authors' modules
/// (scripts/fixtures/face_loss_fixtures.py): golden values and gradients in float64.
@Suite struct FaceLossFixtureTests {
  /// CosineLinear + AMSoftmax(s 7.5, m 0.35): logits z, loss, dL/dx, dL/dW.
  @Test func amSoftmaxMatchesPyTorch() throws {
    let f = try Fixture("am_softmax")
    let x = try f.tensor("x"), weight = try f.tensor("weight"), labels = try f.labels("labels")
    let (scale, margin) = (Float(try f.number("scale")), Float(try f.number("margin")))
    #expect((scale, margin) == (7.5, 0.35))
    let head = CosineLinear(inFeatures: x.shape[1], outFeatures: weight.shape[0], bound: .featureNorm)
    head.weight.value.assign(weight)
    #expect(maxScaledError(head.forward(x, mode: .train).values, try f.tensor("z").values) < 1e-6)

    let run = try runAMSoftmax(x: x, weight: weight, labels: labels, scale: scale, margin: margin)
    let expected = try f.tensor("loss")[0]
    #expect(abs(run.loss - expected) <= 1e-5 * expected)
    #expect(maxScaledError(run.gradInput, try f.tensor("dx").values) < 1e-5)
    #expect(maxScaledError(run.gradWeight, try f.tensor("dweight").values) < 1e-5)
  }

  /// l2_norm + ArcfaceLinear(s 64, m 0.5) + cross-entropy: cosines, logits, loss, dL/dx, dL/dW,
  /// with three targets on the easy-margin fallback branch.
  @Test func arcFaceMatchesPyTorchOnBothBranches() throws {
    let f = try Fixture("arcface")
    let x = try f.tensor("x"), weight = try f.tensor("weight"), labels = try f.labels("labels")
    let (scale, margin) = (Float(try f.number("scale")), Float(try f.number("margin")))
    #expect((scale, margin) == (64, 0.5))
    let fallback = try f.labels("fallback")
    #expect(fallback.filter { $0 == 1 }.count == 3 && fallback.contains(0))
    let cosines = try f.tensor("cosines").values
    let classes = weight.shape[0]
    for (b, flag) in fallback.enumerated() {
      let c = Double(cosines[b * classes + Int(labels[b])])
      #expect((c - cos(Double.pi - 0.5) <= 0) == (flag == 1), "sample \(b): target cosine \(c)")
    }

    let normalize = L2Normalize()
    let head = CosineLinear(inFeatures: x.shape[1], outFeatures: classes, bound: .unit)
    head.weight.value.assign(weight)
    #expect(maxScaledError(head.forward(normalize.forward(x, mode: .train), mode: .train).values, cosines) < 1e-6)

    let run = try runArcFace(x: x, weight: weight, labels: labels, scale: scale, margin: margin)
    let expected = try f.tensor("loss")[0]
    #expect(abs(run.loss - expected) <= 1e-5 * expected)
    #expect(maxScaledError(run.gradInput, try f.tensor("dx").values) < 1e-4)
    #expect(maxScaledError(run.gradWeight, try f.tensor("dweight").values) < 1e-4)
  }

  /// Wen et al.'s center loss (λ_c 0.003, α 0.5): L_C, λ_c·dL_C/dx, the centres after one update
  /// (class 3 is absent from the batch and must not move).
  @Test func centerLossMatchesTheFixture() throws {
    let f = try Fixture("center_loss")
    let x = try f.tensor("x"), centers = try f.tensor("centers"), labels = try f.labels("labels")
    let (lambda, alpha) = (Float(try f.number("lambda")), Float(try f.number("alpha")))
    let tap = CenterLossTap(classes: centers.shape[0], dims: centers.shape[1], lambda: lambda, alpha: alpha)
    tap.centers.assign(centers)
    try tap.prepare(labels: labels)
    _ = tap.forward(x, mode: .train)
    let expected = try f.tensor("loss")[0]
    #expect(abs(tap.lastLoss! - expected) <= 1e-6 * expected)
    #expect(maxScaledError(tap.backward(Tensor(zeros: x.shape)).values, try f.tensor("dx").values) < 1e-5)
    tap.updateCenters()
    let after = try f.tensor("centers_after")
    #expect(maxScaledError(tap.centers.values, after.values) < 1e-6)
    let dims = centers.shape[1]
    #expect(Array(tap.centers.values[3 * dims..<4 * dims]) == Array(centers.values[3 * dims..<4 * dims]))
  }
}
