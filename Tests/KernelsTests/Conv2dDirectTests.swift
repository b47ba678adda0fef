import Kernels
import Testing
import TestSupport

@Suite struct Conv2dDirectTests {
  static let depthwiseCases: [ConvCase] = [
    // MobileNetV2's case: multiplier 1, 3×3, stride 1 and 2, padding 1.
    ConvCase(2, 5, 9, 19, out: 5, kernel: (3, 3), padding: (1, 1), groups: 5, algorithm: .direct),
    ConvCase(3, 4, 9, 9, out: 4, kernel: (3, 3), stride: (2, 2), padding: (1, 1), groups: 4,
             bias: false, algorithm: .direct),
    ConvCase(2, 3, 10, 20, out: 3, kernel: (3, 3), stride: (2, 2), padding: (1, 1), groups: 3,
             algorithm: .direct),
    // Output planes of ≤ 16 values (the small-plane weight gradient): 3×3 at stride 2, 1×1 maps.
    ConvCase(2, 4, 5, 5, out: 4, kernel: (3, 3), stride: (2, 2), padding: (1, 1), groups: 4,
             algorithm: .direct),
    ConvCase(3, 3, 1, 1, out: 3, kernel: (3, 3), padding: (1, 1), groups: 3, algorithm: .direct),
    // MobileNetV2's last maps at 32×32: 4×4 → 2×2 and 2×2 → 1×1 at stride 2, 2×2 at stride 1.
    ConvCase(8, 12, 4, 4, out: 12, kernel: (3, 3), stride: (2, 2), padding: (1, 1), groups: 12,
             bias: false, algorithm: .direct),
    ConvCase(8, 12, 2, 2, out: 12, kernel: (3, 3), stride: (2, 2), padding: (1, 1), groups: 12,
             bias: false, algorithm: .direct),
    ConvCase(8, 12, 2, 2, out: 12, kernel: (3, 3), padding: (1, 1), groups: 12, bias: false,
             algorithm: .direct),
    // Channel multiplier 2: each input channel feeds two output channels.
    ConvCase(2, 3, 7, 7, out: 6, kernel: (3, 3), padding: (1, 1), groups: 3, algorithm: .direct),
    ConvCase(2, 2, 8, 9, out: 6, kernel: (3, 3), stride: (2, 2), padding: (1, 1), groups: 2,
             algorithm: .direct),
    // Larger and rectangular windows, no padding, asymmetric strides.
    ConvCase(1, 2, 10, 11, out: 2, kernel: (5, 5), stride: (2, 2), padding: (2, 2), groups: 2,
             algorithm: .direct),
    ConvCase(2, 3, 6, 12, out: 3, kernel: (3, 2), stride: (1, 2), groups: 3, bias: false,
             algorithm: .direct),
    ConvCase(2, 2, 11, 7, out: 2, kernel: (2, 3), stride: (3, 1), padding: (1, 2), groups: 2,
             algorithm: .direct),
    // A 4×4 map (MobileNet's last stages at CIFAR size) with a kernel touching every border.
    ConvCase(3, 6, 4, 4, out: 6, kernel: (3, 3), padding: (1, 1), groups: 6, algorithm: .direct),
  ]

  static let groupedCases: [ConvCase] = [
    // ResNeXt-style groups of a few channels, stride 1 and 2.
    ConvCase(3, 8, 7, 9, out: 8, kernel: (3, 3), padding: (1, 1), groups: 4, algorithm: .direct),
    ConvCase(2, 8, 9, 8, out: 12, kernel: (3, 3), stride: (2, 2), padding: (1, 1), groups: 2,
             bias: false, algorithm: .direct),
    // Dense (one group), 1×1, and a kernel larger than the unpadded input: any geometry works.
    ConvCase(2, 3, 6, 5, out: 4, kernel: (3, 3), padding: (1, 1), algorithm: .direct),
    ConvCase(2, 4, 5, 5, out: 6, kernel: (1, 1), groups: 2, algorithm: .direct),
    ConvCase(2, 2, 3, 3, out: 2, kernel: (5, 5), padding: (1, 1), algorithm: .direct),
  ]

  @Test(arguments: depthwiseCases)
  func depthwiseConv2dMatchesNaiveReference(_ convCase: ConvCase) {
    convCase.expectMatchesNaiveReference()
  }

  @Test(arguments: groupedCases)
  func groupedDirectConv2dMatchesNaiveReference(_ convCase: ConvCase) {
    convCase.expectMatchesNaiveReference()
  }

  @Test func directConv2dBackwardSkipsGradInputWhenNil() {
    ConvCase(2, 3, 5, 5, out: 3, kernel: (3, 3), padding: (1, 1), groups: 3, bias: false,
             algorithm: .direct).expectSkippingGradInputKeepsWeightGradient(seed: 41)
  }
}
