import Engine
import Kernels
import Testing
import TestSupport

/// A Conv2d configuration and the input shape to run it on.
struct Conv2dLayerCase: Sendable, CustomTestStringConvertible {
  var inChannels: Int, outChannels: Int
  var kernel: (height: Int, width: Int), stride: (height: Int, width: Int)
  var padding: (height: Int, width: Int)
  var groups: Int, bias: Bool
  var inputShape: [Int]

  func makeLayer(seed: UInt64 = 5) -> Conv2d {
    let layer = Conv2d(inChannels: inChannels, outChannels: outChannels, kernelSize: kernel,
                       stride: stride, padding: padding, groups: groups, bias: bias)
    layer.initialise(seed: seed)
    return layer
  }

  var testDescription: String { "\(makeLayer().name) on \(inputShape)" }
}

@Suite struct Conv2dLayerTests {
  static let gradientCases: [Conv2dLayerCase] = [
    // im2col + GEMM: rectangular stride and padding, odd sizes.
    Conv2dLayerCase(inChannels: 3, outChannels: 4, kernel: (3, 3), stride: (2, 1),
                    padding: (1, 1), groups: 1, bias: true, inputShape: [3, 3, 5, 6]),
    Conv2dLayerCase(inChannels: 4, outChannels: 6, kernel: (3, 2), stride: (1, 1),
                    padding: (1, 0), groups: 2, bias: true, inputShape: [2, 4, 4, 5]),
    // Depthwise (MobileNet) and pointwise direct (Ho·Wo ≥ 256) kernels.
    Conv2dLayerCase(inChannels: 3, outChannels: 3, kernel: (3, 3), stride: (2, 2),
                    padding: (1, 1), groups: 3, bias: true, inputShape: [2, 3, 7, 7]),
    Conv2dLayerCase(inChannels: 2, outChannels: 3, kernel: (1, 1), stride: (1, 1),
                    padding: (0, 0), groups: 1, bias: true, inputShape: [1, 2, 16, 16]),
  ]

  /// L = ⟨conv(x), probe⟩; backward(probe) must give dL/dx, and accumulate dL/dw, dL/db.
  @Test(arguments: gradientCases)
  func conv2dLayerGradientsMatchFiniteDifference(_ layerCase: Conv2dLayerCase) {
    let layer = layerCase.makeLayer()
    let input = randomTensor(layerCase.inputShape, seed: 71)
    let outputShape = try! layer.outputShape(for: input.shape)
    let probe = randomTensor(outputShape, seed: 72)
    let loss = {
      let output = layer.forward(input, mode: .train)
      return dot(output.pointer, probe.pointer, count: output.count)
    }
    layer.zeroGradients()
    _ = layer.forward(input, mode: .train)
    let gradInput = layer.backward(probe).values

    let numericInput = finiteDifferenceGradient(at: input.pointer, count: input.count, of: loss)
    #expect(maxScaledError(gradInput, numericInput) < 1e-2)
    let numericWeight = finiteDifferenceGradient(
      at: layer.weight.value.pointer, count: layer.weight.value.count, of: loss)
    #expect(maxScaledError(layer.weight.grad.values, numericWeight) < 1e-2)
    let bias = try! #require(layer.bias)
    let numericBias = finiteDifferenceGradient(at: bias.value.pointer, count: bias.value.count, of: loss)
    #expect(maxScaledError(bias.grad.values, numericBias) < 1e-2)
  }

  @Test func conv2dLayerPicksTheKernelForItsGeometry() throws {
    let depthwise = Conv2d(inChannels: 32, outChannels: 32, kernelSize: 3, padding: 1, groups: 32)
    let pointwise = Conv2d(inChannels: 32, outChannels: 64, kernelSize: 1, bias: false)
    let shortcut = Conv2d(inChannels: 32, outChannels: 64, kernelSize: 1, stride: 2, bias: false)
    #expect(try depthwise.algorithm(for: [8, 32, 16, 16]) == .direct)
    #expect(try pointwise.algorithm(for: [8, 32, 16, 16]) == .pointwiseDirect)
    #expect(try pointwise.algorithm(for: [8, 32, 4, 4]) == .im2colGEMM(imagesPerChunk: 8))
    if case .im2colGEMM = try shortcut.algorithm(for: [8, 32, 16, 16]) {} else {
      Issue.record("a strided 1×1 convolution must go through im2col")
    }
  }

  @Test func conv2dLayerInitialisationIsPyTorchsUniformBoundInOrder() {
    let layer = Conv2d(inChannels: 6, outChannels: 8, kernelSize: 3, groups: 2)
    var generator = SeededGenerator(seed: 9)
    layer.resetParameters(using: &generator)
    // fan_in = 6/2 · 3 · 3 = 27; kaiming_uniform(a = √5) gives b = 1/√27 for weight and bias.
    let bound = 1 / Float(27).squareRoot()
    let weights = layer.weight.value.values
    let biases = layer.bias!.value.values
    #expect(weights.allSatisfy { abs($0) <= bound })
    #expect(biases.allSatisfy { abs($0) <= bound })
    // 216 uniform draws reach close to both ends of the interval.
    #expect(weights.max()! > 0.9 * bound && weights.min()! < -0.9 * bound)
    // Weight first, then bias, each in storage order, from the same generator.
    var replay = SeededGenerator(seed: 9)
    let expected = (0..<(216 + 8)).map { _ in replay.nextFloat(in: -bound, bound) }
    #expect(weights + biases == expected)
  }

  @Test func conv2dLayerInitialisationIsDeterministicPerSeed() {
    let a = Conv2d(inChannels: 4, outChannels: 4, kernelSize: 3)
    let b = Conv2d(inChannels: 4, outChannels: 4, kernelSize: 3)
    a.initialise(seed: 1)
    b.initialise(seed: 1)
    #expect(a.weight.value.values == b.weight.value.values)
    #expect(a.bias!.value.values == b.bias!.value.values)
    b.initialise(seed: 2)
    #expect(a.weight.value.values != b.weight.value.values)
  }

  @Test func conv2dLayerNamesParametersLikePyTorch() {
    let withBias = Conv2d(inChannels: 6, outChannels: 8, kernelSize: (3, 1), groups: 2)
    let withoutBias = Conv2d(inChannels: 6, outChannels: 8, kernelSize: 3, bias: false)
    #expect(withBias.namedParameters().map(\.name) == ["weight", "bias"])
    #expect(withBias.weight.value.shape == [8, 3, 3, 1])
    #expect(withBias.bias?.value.shape == [8])
    #expect(withoutBias.namedParameters().map(\.name) == ["weight"])
    #expect(withoutBias.parameterCount == 8 * 6 * 9)
  }

  @Test func conv2dLayerReportsOutputShapeAndMACs() throws {
    let layer = Conv2d(inChannels: 3, outChannels: 16, kernelSize: 3, stride: 2, padding: 1)
    #expect(try layer.outputShape(for: [4, 3, 32, 32]) == [4, 16, 16, 16])
    #expect(layer.macs(for: [4, 3, 32, 32]) == 4 * 16 * 16 * 16 * 3 * 9)
    let grouped = Conv2d(inChannels: 8, outChannels: 8, kernelSize: (1, 3), padding: (0, 1), groups: 4)
    #expect(try grouped.outputShape(for: [2, 8, 5, 7]) == [2, 8, 5, 7])
    #expect(grouped.macs(for: [2, 8, 5, 7]) == 2 * 8 * 35 * 2 * 3)
  }

  @Test func conv2dLayerShapeErrorsNameTheLayerAndShapes() {
    let layer = Conv2d(inChannels: 64, outChannels: 128, kernelSize: 3, stride: 2)
    #expect(layer.name == "Conv2d(64→128, 3×3, stride 2)")
    #expect {
      try layer.outputShape(for: [2, 32, 8, 8])
    } throws: { error in
      guard let error = error as? ShapeError else { return false }
      return error.layer == "Conv2d(64→128, 3×3, stride 2)" && error.actual == [2, 32, 8, 8]
        && error.expected.contains("[N, 64, H, W]")
    }
    // Too small for the kernel, and the wrong rank.
    let stem = Conv2d(inChannels: 3, outChannels: 8, kernelSize: 7, stride: 2, padding: 1)
    #expect {
      try stem.outputShape(for: [1, 3, 4, 9])
    } throws: { error in
      let text = String(describing: error)
      return text.contains("Conv2d(3→8, 7×7, stride 2, padding 1)") && text.contains("[1, 3, 4, 9]")
        && text.contains("H + 2·1 ≥ 7")
    }
    #expect(throws: ShapeError.self) { try stem.outputShape(for: [3, 9, 9]) }
  }

  @Test func conv2dLayerReusesBuffersAndAccumulatesGradients() {
    let layer = Conv2d(inChannels: 3, outChannels: 4, kernelSize: 3, padding: 1)
    layer.initialise(seed: 3)
    let input = randomTensor([2, 3, 6, 6], seed: 81)
    let gradOutput = randomTensor([2, 4, 6, 6], seed: 82)
    let firstOutput = layer.forward(input, mode: .train)
    let firstGradInput = layer.backward(gradOutput)
    let once = layer.weight.grad.values
    let onceBias = layer.bias!.grad.values
    let secondOutput = layer.forward(input, mode: .train)
    let secondGradInput = layer.backward(gradOutput)
    #expect(firstOutput === secondOutput)
    #expect(firstGradInput === secondGradInput)
    // PyTorch semantics: a second backward adds the same gradient again.
    #expect(maxRelativeError(layer.weight.grad.values, once.map { 2 * $0 }) < 1e-6)
    #expect(maxRelativeError(layer.bias!.grad.values, onceBias.map { 2 * $0 }) < 1e-6)
    #expect(once.contains { $0 != 0 })
  }
}
