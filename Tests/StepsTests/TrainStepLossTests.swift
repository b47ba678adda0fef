import Foundation
import Models
import Pipeline
import Testing
@testable import Steps

/// The train step reads `loss.base` and the face loss's parameters from its configuration.
@Suite struct TrainStepLossTests {
  static func context(loss: [String: ConfigValue]) -> StepContext {
    let step = Step(id: StepID(.train, "toy"), config: .object(["loss": .object(loss)]), inputs: [])
    let folder = FileManager.default.temporaryDirectory
    return StepContext(step: step, inputDirectories: [], outputDirectory: folder, workDirectory: folder, threads: 1,
                       attempt: 1, progress: { _ in }, cancellation: Pipeline.CancellationToken())
  }

  @Test func everyBaseLossIsAccepted() throws {
    for base in ["softmax", "center", "am_softmax", "arcface"] {
      let head = try TrainStepRunner.head(Self.context(loss: ["base": .string(base)]))
      #expect(head == HeadConfiguration(loss: BaseLoss(rawValue: base)!))
    }
    #expect(try TrainStepRunner.head(Self.context(loss: ["base": .string("softmax")])) == .softmax)
  }

  @Test func faceParametersOverrideTheDefaults() throws {
    let arcface = try TrainStepRunner.head(Self.context(loss: [
      "base": .string("arcface"), "scale": .double(15), "margin": .double(0.4), "embedding_features": .int(256),
    ]))
    #expect(arcface == HeadConfiguration(loss: .arcface, embeddingFeatures: 256, scale: 15, margin: 0.4))
    let center = try TrainStepRunner.head(Self.context(loss: [
      "base": .string("center"), "center_lambda": .double(0.01), "center_alpha": .int(1),
    ]))
    #expect(center.centerLambda == 0.01 && center.centerAlpha == 1)
  }

  @Test func unknownBaseNamesTheField() {
    #expect {
      _ = try TrainStepRunner.head(Self.context(loss: ["base": .string("cosface")]))
    } throws: { error in
      "\(error)".contains("loss.base") && "\(error)".contains("am_softmax")
    }
  }
}
