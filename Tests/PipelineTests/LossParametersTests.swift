import Foundation
import Testing
@testable import Pipeline

/// Table VI's face losses in a manifest: their parameters reach the step configuration, and
/// settings of one loss get distinct tags.
@Suite struct LossParametersTests {
  @Test func faceLossParametersReachTheStepConfiguration() throws {
    let directory = TemporaryDirectory()
    _ = directory.write(Fixtures.profiles, to: "profiles.yaml")
    let losses = [
      "{base: center, center_lambda: 0.01, center_alpha: 0.25}", "{base: am_softmax, margin: 0.35}",
      "{base: arcface, scale: 15, margin: 0.5, embedding_features: 256, lambda: 1, placement: stages}", "{base: arcface}",
    ]
    let original = "    - {base: softmax, label: Softmax}\n"
    let template = Fixtures.manifest(published: false)
    #expect(template.contains(original))
    let text = template.replacingOccurrences(of: original, with: losses.map { "    - \($0)\n" }.joined())
    let manifest = try ManifestLoader.load(path: directory.write(text, to: "toy.yaml"))
    #expect(manifest.losses.map(\.tag) == ["center-lc0.01-a0.25", "am_softmax-m0.35", "arcface-s15-m0.5-d256-mfd1",
                                           "arcface", "mfd1"])
    #expect(manifest.losses.map(\.label).prefix(4) == ["Center loss", "AM-Softmax", "ArcFace + MFD", "ArcFace"])
    let arcface = manifest.losses[2]
    #expect(arcface.parameters == LossParameters(scale: 15, margin: 0.5, embeddingFeatures: 256))
    #expect(arcface.configValue == .object([
      "base": .string("arcface"), "mfd_lambda": .double(1), "mfd_placement": .string("stages"),
      "scale": .double(15), "margin": .double(0.5), "embedding_features": .int(256),
    ]))
    // Absent parameters stay absent (the training code's defaults), so softmax configurations
    // are what they were.
    #expect(manifest.losses[4].configValue == .object([
      "base": .string("softmax"), "mfd_lambda": .double(1), "mfd_placement": .string("stages"),
    ]))
  }
}
