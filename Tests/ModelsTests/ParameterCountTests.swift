import Models
import Testing

@Suite struct ParameterCountTests {
  /// mfd-reference.md §5 and torchvision with the paper's stem, at 100 classes and width 1.
  @Test(arguments: [
    (Architecture.resnet50, 23_705_252),
    (.resnext50_32x4d, 23_177_124),
    (.densenet121, 7_048_676),
    (.mobilenet_v2, 2_351_972),
    (.mobilenet_v2_cifar, 2_412_212),
  ])
  func parameterCountsMatchTheReference(architecture: Architecture, expected: Int) throws {
    let network = try Network(ModelConfiguration(architecture: architecture, classes: 100))
    #expect(network.parameterCount == expected)
  }

  /// Forward MACs per 32×32 image (conv and linear), mfd-reference.md §5.
  @Test(arguments: [
    (Architecture.resnet50, 1_298_014_208),
    (.resnext50_32x4d, 1_344_151_552),
    (.densenet121, 888_442_880),
    (.mobilenet_v2, 6_240_128),
    (.mobilenet_v2_cifar, 91_270_144),
  ])
  func macsMatchTheReference(architecture: Architecture, expected: Int) throws {
    let network = try Network(ModelConfiguration(architecture: architecture, classes: 100))
    #expect(network.macsPerImage(side: 32) == expected)
  }
}
