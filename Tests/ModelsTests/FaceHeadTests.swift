import Engine
import Foundation
import Models
import Testing

/// The face heads inside the paper's networks: torchvision names kept for the classifier, the
/// embedding and centres named after their layers, checkpoints round-trip.
@Suite struct FaceHeadTests {
  @Test func resnetFaceHeadsHaveTheirLayersAndNames() throws {
    let softmax = try Network(ModelConfiguration(architecture: .resnet50, classes: 7, widthMultiplier: 0.25))
    let softmaxNames = softmax.namedState().map(\.name)
    #expect(!softmaxNames.contains("embed.weight") && softmaxNames.suffix(2) == ["fc.weight", "fc.bias"])

    for loss in [BaseLoss.center, .am_softmax, .arcface] {
      let network = try Network(ModelConfiguration(architecture: .resnet50, classes: 7, widthMultiplier: 0.25,
                                                   head: HeadConfiguration(loss: loss)))
      let shapes = Dictionary(uniqueKeysWithValues: network.namedState().map { name, entry in
        switch entry {
        case .parameter(let p): (name, p.value.shape)
        case .buffer(let t): (name, t.shape)
        case .counter: (name, [])
        }
      })
      #expect(shapes["embed.weight"] == [128, 512] && shapes["embed.bias"] == [128], "\(loss)")
      #expect(shapes["fc.weight"] == [7, 128], "\(loss)")
      #expect((shapes["fc.bias"] != nil) == (loss == .center), "\(loss)")
      #expect((shapes["center.centers"] == [7, 128]) == (loss == .center), "\(loss)")
      #expect(try network.outputShape(for: [2, 3, 8, 8]) == [2, 7])
      #expect(network.embedding.lastFeatures == nil || network.embedding.lastFeatures!.shape[1] == 128)
      let hasNormalize = network.allLayers().contains { $0 is L2Normalize }
      #expect(hasNormalize == (loss == .arcface))
    }
  }

  @Test func otherArchitecturesKeepTheirClassifierNames() throws {
    let expected: [Architecture: String] = [
      .densenet121: "classifier.weight", .mobilenet_v2: "classifier.1.weight", .mobilenet_v2_cifar: "linear.weight",
    ]
    for (architecture, name) in expected {
      let network = try Network(ModelConfiguration(architecture: architecture, classes: 5, widthMultiplier: 0.125,
                                                   head: HeadConfiguration(loss: .am_softmax)))
      let names = network.namedParameters().map(\.name)
      #expect(names.contains(name) && names.contains("embed.weight"), "\(architecture): \(names.suffix(3))")
    }
  }

  @Test func faceCheckpointRoundTrips() throws {
    let configuration = ModelConfiguration(architecture: .resnet50, classes: 3, widthMultiplier: 0.125,
                                           head: HeadConfiguration(loss: .center))
    let network = try Network(configuration)
    network.initialise(seed: 5)
    for (name, entry) in network.namedState() where name == "center.centers" {
      if case .buffer(let t) = entry { for i in 0..<t.count { t[i] = Float(i) * 0.5 } }
    }
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("face-\(UUID().uuidString).safetensors")
    defer { try? FileManager.default.removeItem(at: url) }
    try Checkpoint.save(network, metadata: [:], to: url)
    let restored = try Network(configuration)
    try Checkpoint.load(from: url, into: restored)
    func values(_ n: Network) -> [String: [Float]] {
      Dictionary(uniqueKeysWithValues: n.namedState().compactMap { name, entry in
        switch entry {
        case .parameter(let p): (name, p.value.values)
        case .buffer(let t): (name, t.values)
        case .counter: nil
        }
      })
    }
    #expect(values(restored) == values(network))
  }

  /// Face heads are stored in configurations; softmax ones encode as before (no `head` key).
  @Test func configurationCodingKeepsSoftmaxUnchanged() throws {
    let softmax = ModelConfiguration(architecture: .resnet50, classes: 10)
    let text = String(decoding: try JSONEncoder().encode(softmax), as: UTF8.self)
    #expect(!text.contains("head"))
    #expect(try JSONDecoder().decode(ModelConfiguration.self, from: Data(text.utf8)) == softmax)
    let arcface = ModelConfiguration(architecture: .resnet50, classes: 10, head: HeadConfiguration(loss: .arcface, scale: 15))
    let decoded = try JSONDecoder().decode(ModelConfiguration.self, from: try JSONEncoder().encode(arcface))
    #expect(decoded == arcface && decoded.head.scale == 15 && decoded.head.margin == 0.5)
    #expect(throws: ModelConfigurationError.self) {
      try ModelConfiguration(architecture: .resnet50, classes: 10, head: HeadConfiguration(loss: .arcface, margin: 2)).validate()
    }
  }
}
