import Engine
import Figures
import Models
import Testing

@Suite struct StageCaptureTests {
  @Test(arguments: [Architecture.resnet50, .densenet121, .mobilenet_v2_cifar])
  func capturedStageOutputsHaveTheNetworksStageShapes(_ architecture: Architecture) throws {
    let network = try Network(ModelConfiguration(architecture: architecture, classes: 10, widthMultiplier: 0.125))
    network.initialise(seed: 3)
    var generator = SystemRandomNumberGenerator()
    let image = Tensor(shape: [1, 3, 32, 32], values: (0..<3 * 32 * 32).map { _ in Float.random(in: -2...2, using: &generator) })
    let expected = try network.stageShapes(side: 32)
    let maps = try StageCapture.capture(network, image: image, stages: [0, 1, 2, 3, 4])
    for stage in 0..<5 {
      let captured = try #require(maps[stage])
      #expect([1, captured.channels, captured.height, captured.width] == expected[stage], "stage \(stage)")
      #expect(captured.values.contains { $0 != 0 }, "stage \(stage) is all zeros")
    }
    #expect(network.stageProbes.allSatisfy { !$0.recordsOutputInEval })
  }

  @Test func captureRejectsAStageTheNetworkLacks() throws {
    let network = try Network(ModelConfiguration(architecture: .resnet50, classes: 10, widthMultiplier: 0.125))
    #expect(throws: FigureError.stage(5, available: 5)) {
      try StageCapture.capture(network, image: Tensor(zeros: [1, 3, 32, 32]), stages: [5])
    }
  }
}
