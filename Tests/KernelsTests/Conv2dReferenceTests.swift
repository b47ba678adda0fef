import Kernels
import Testing
import TestSupport

// The naive reference itself is checked against finite differences here; the fast kernels are
// then checked against the reference (Conv2dGEMMTests, Conv2dDepthwiseTests) with the shared
// `ConvCase` helpers below.

@Suite struct Conv2dReferenceTests {
  static let geometries: [Conv2dGeometry] = [
    try! Conv2dGeometry(batch: 2, inChannels: 4, height: 5, width: 6, outChannels: 6,
                        kernel: (3, 2), stride: (2, 1), padding: (1, 1), groups: 2),
    try! Conv2dGeometry(batch: 1, inChannels: 3, height: 4, width: 4, outChannels: 6,
                        kernel: (3, 3), stride: (1, 1), padding: (1, 1), groups: 3),
  ]

  @Test(arguments: geometries)
  func naiveConv2dBackwardMatchesFiniteDifference(geometry g: Conv2dGeometry) {
    let input = ConvTestBuffer(randomValues(g.inputCount, seed: 11))
    let weight = ConvTestBuffer(randomValues(g.weightCount, seed: 12))
    let bias = ConvTestBuffer(randomValues(g.outChannels, seed: 13))
    let probe = ConvTestBuffer(randomValues(g.outputCount, seed: 14))
    let output = ConvTestBuffer(count: g.outputCount)
    // L = ⟨conv(x, w, b), probe⟩, so dL/d(output) = probe.
    let loss = {
      naiveConv2dForward(input: input.pointer, weight: weight.pointer, bias: bias.pointer,
                         output: output.pointer, geometry: g)
      return dot(output.pointer, probe.pointer, count: g.outputCount)
    }
    let gradInput = ConvTestBuffer(count: g.inputCount)
    // Weight and bias gradients accumulate, so they start at zero.
    let gradWeight = ConvTestBuffer([Float](repeating: 0, count: g.weightCount))
    let gradBias = ConvTestBuffer([Float](repeating: 0, count: g.outChannels))
    naiveConv2dBackward(
      input: input.pointer, weight: weight.pointer, gradOutput: probe.pointer,
      gradInput: gradInput.pointer, gradWeight: gradWeight.pointer, gradBias: gradBias.pointer,
      geometry: g)

    let numericInput = finiteDifferenceGradient(at: input.pointer, count: g.inputCount, of: loss)
    let numericWeight = finiteDifferenceGradient(at: weight.pointer, count: g.weightCount, of: loss)
    let numericBias = finiteDifferenceGradient(at: bias.pointer, count: g.outChannels, of: loss)
    #expect(maxScaledError(gradInput.values, numericInput) < 1e-2)
    #expect(maxScaledError(gradWeight.values, numericWeight) < 1e-2)
    #expect(maxScaledError(gradBias.values, numericBias) < 1e-2)
  }

  @Test func naiveConv2dForwardMatchesHandComputedValues() {
    // 1 image, 1 channel 3×3 ramp, 2×2 kernel of ones, padding 1, stride 2: corners of the
    // padded image sum one, two or four input pixels.
    let g = try! Conv2dGeometry(batch: 1, inChannels: 1, height: 3, width: 3, outChannels: 1,
                                kernel: (2, 2), stride: (2, 2), padding: (1, 1))
    let input = ConvTestBuffer([1, 2, 3, 4, 5, 6, 7, 8, 9])
    let weight = ConvTestBuffer([1, 1, 1, 1])
    let bias = ConvTestBuffer([0.5])
    let output = ConvTestBuffer(count: g.outputCount)
    naiveConv2dForward(input: input.pointer, weight: weight.pointer, bias: bias.pointer,
                       output: output.pointer, geometry: g)
    #expect(g.outputShape == [1, 1, 2, 2])
    #expect(output.values == [1.5, 5.5, 11.5, 28.5])
  }
}

// MARK: - Shared helpers for the convolution kernel suites

/// Floats owned by a test, with a stable pointer for the raw-buffer kernel API.
final class ConvTestBuffer {
  let pointer: UnsafeMutablePointer<Float>
  let count: Int

  init(_ values: [Float]) {
    count = values.count
    pointer = .allocate(capacity: max(1, count))
    pointer.initialize(from: values, count: count)
  }

  /// `count` NaNs: any element a kernel should write but does not poisons the comparison.
  convenience init(count: Int) { self.init([Float](repeating: .nan, count: count)) }

  deinit { pointer.deallocate() }

  var values: [Float] { Array(UnsafeBufferPointer(start: pointer, count: count)) }
}

/// One convolution to check: a geometry, the algorithm under test and whether it has a bias.
struct ConvCase: Sendable, CustomTestStringConvertible {
  let geometry: Conv2dGeometry
  let algorithm: Conv2dAlgorithm
  let hasBias: Bool

  init(
    _ batch: Int, _ inChannels: Int, _ height: Int, _ width: Int, out outChannels: Int,
    kernel: (Int, Int), stride: (Int, Int) = (1, 1), padding: (Int, Int) = (0, 0),
    groups: Int = 1, bias: Bool = true, algorithm: Conv2dAlgorithm
  ) {
    geometry = try! Conv2dGeometry(
      batch: batch, inChannels: inChannels, height: height, width: width,
      outChannels: outChannels, kernel: kernel, stride: stride, padding: padding, groups: groups)
    self.algorithm = algorithm
    hasBias = bias
  }

  var testDescription: String { "\(geometry), \(algorithm)\(hasBias ? ", bias" : "")" }

  /// A backward without the input gradient (the network's first layer) must leave the weight
  /// gradient exactly as a full backward computes it; inputs drawn from seeds seed, seed+1, seed+2.
  func expectSkippingGradInputKeepsWeightGradient(seed: UInt64) {
    let g = geometry
    let input = ConvTestBuffer(randomValues(g.inputCount, seed: seed))
    let weight = ConvTestBuffer(randomValues(g.weightCount, seed: seed + 1))
    let gradOutput = ConvTestBuffer(randomValues(g.outputCount, seed: seed + 2))
    let withInput = ConvTestBuffer([Float](repeating: 0, count: g.weightCount))
    let withoutInput = ConvTestBuffer([Float](repeating: 0, count: g.weightCount))
    let gradInput = ConvTestBuffer(count: g.inputCount)
    let workspace = Conv2dWorkspace()
    for (target, gradInputPointer) in [(withInput, gradInput.pointer), (withoutInput, nil)] {
      conv2dBackward(input: input.pointer, weight: weight.pointer, gradOutput: gradOutput.pointer,
                     gradInput: gradInputPointer, gradWeight: target.pointer, gradBias: nil,
                     geometry: g, workspace: workspace, algorithm: algorithm)
    }
    #expect(withInput.values == withoutInput.values)
    #expect(withInput.values.contains { $0 != 0 })
  }

  /// Runs the algorithm under test and the naive reference forward and backward on the same
  /// random data and expects them to agree. Outputs and input gradients start as NaN (they must
  /// be overwritten); weight and bias gradients start random (they must be accumulated into).
  func expectMatchesNaiveReference() {
    let g = geometry
    let input = ConvTestBuffer(randomValues(g.inputCount, seed: 1))
    let weight = ConvTestBuffer(randomValues(g.weightCount, seed: 2))
    let bias = hasBias ? ConvTestBuffer(randomValues(g.outChannels, seed: 3)) : nil
    let gradOutput = ConvTestBuffer(randomValues(g.outputCount, seed: 4))
    let workspace = Conv2dWorkspace()

    let fastOutput = ConvTestBuffer(count: g.outputCount)
    let naiveOutput = ConvTestBuffer(count: g.outputCount)
    conv2dForward(input: input.pointer, weight: weight.pointer, bias: bias?.pointer,
                  output: fastOutput.pointer, geometry: g, workspace: workspace,
                  algorithm: algorithm)
    naiveConv2dForward(input: input.pointer, weight: weight.pointer, bias: bias?.pointer,
                       output: naiveOutput.pointer, geometry: g)
    #expect(maxRelativeError(fastOutput.values, naiveOutput.values) < 1e-4, "output")

    let fastGradInput = ConvTestBuffer(count: g.inputCount)
    let naiveGradInput = ConvTestBuffer(count: g.inputCount)
    let fastGradWeight = ConvTestBuffer(randomValues(g.weightCount, seed: 5))
    let naiveGradWeight = ConvTestBuffer(fastGradWeight.values)
    let fastGradBias = hasBias ? ConvTestBuffer(randomValues(g.outChannels, seed: 6)) : nil
    let naiveGradBias = fastGradBias.map { ConvTestBuffer($0.values) }
    conv2dBackward(
      input: input.pointer, weight: weight.pointer, gradOutput: gradOutput.pointer,
      gradInput: fastGradInput.pointer, gradWeight: fastGradWeight.pointer,
      gradBias: fastGradBias?.pointer, geometry: g, workspace: workspace, algorithm: algorithm)
    naiveConv2dBackward(
      input: input.pointer, weight: weight.pointer, gradOutput: gradOutput.pointer,
      gradInput: naiveGradInput.pointer, gradWeight: naiveGradWeight.pointer,
      gradBias: naiveGradBias?.pointer, geometry: g)
    #expect(maxRelativeError(fastGradInput.values, naiveGradInput.values) < 1e-4, "grad input")
    #expect(maxRelativeError(fastGradWeight.values, naiveGradWeight.values) < 1e-4, "grad weight")
    if let fastGradBias, let naiveGradBias {
      #expect(maxRelativeError(fastGradBias.values, naiveGradBias.values) < 1e-4, "grad bias")
    }
  }
}
