import Dispatch
import Synchronization
import Kernels
import Testing
import TestSupport

/// oneDNN's convolutions against the naive reference, through the same `conv2dForward` /
/// `conv2dBackward` entry points the layers use, on the geometries of the paper's networks and
/// on awkward ones (odd channel counts that do not fill oneDNN's 8-channel blocks, rectangular
/// kernels, asymmetric strides, a kernel wider than the unpadded map).
@Suite struct Conv2dOneDNNTests {
  static let cases: [ConvCase] = [
    // ResNet/DenseNet 3×3 "same" convolutions, channels filling and not filling the blocks.
    ConvCase(3, 16, 8, 8, out: 16, kernel: (3, 3), padding: (1, 1), bias: false, algorithm: .oneDNN),
    ConvCase(2, 5, 7, 9, out: 7, kernel: (3, 3), padding: (1, 1), algorithm: .oneDNN),
    // The stem: 3 input channels.
    ConvCase(2, 3, 10, 10, out: 8, kernel: (3, 3), padding: (1, 1), bias: false, algorithm: .oneDNN),
    // Downsampling: stride 2 3×3 and the 1×1 stride-2 projection shortcut.
    ConvCase(2, 8, 9, 9, out: 16, kernel: (3, 3), stride: (2, 2), padding: (1, 1), algorithm: .oneDNN),
    ConvCase(2, 16, 8, 8, out: 24, kernel: (1, 1), stride: (2, 2), bias: false, algorithm: .oneDNN),
    // Pointwise.
    ConvCase(2, 24, 6, 6, out: 40, kernel: (1, 1), algorithm: .oneDNN),
    // ResNeXt groups and MobileNet depthwise (stride 1 and 2).
    ConvCase(2, 32, 6, 6, out: 32, kernel: (3, 3), padding: (1, 1), groups: 8, bias: false,
             algorithm: .oneDNN),
    ConvCase(2, 16, 7, 7, out: 16, kernel: (3, 3), padding: (1, 1), groups: 16, algorithm: .oneDNN),
    ConvCase(3, 8, 9, 9, out: 8, kernel: (3, 3), stride: (2, 2), padding: (1, 1), groups: 8,
             bias: false, algorithm: .oneDNN),
    // Rectangular kernel, asymmetric stride and padding; a 5×5 kernel on a 3×3 map; 4×4 maps.
    ConvCase(2, 4, 11, 7, out: 6, kernel: (2, 3), stride: (3, 1), padding: (1, 2), algorithm: .oneDNN),
    ConvCase(2, 2, 3, 3, out: 3, kernel: (5, 5), padding: (1, 1), algorithm: .oneDNN),
    ConvCase(4, 32, 4, 4, out: 32, kernel: (3, 3), padding: (1, 1), bias: false, algorithm: .oneDNN),
    ConvCase(1, 8, 5, 5, out: 8, kernel: (3, 3), padding: (1, 1), algorithm: .oneDNN),
  ]

  @Test(arguments: cases)
  func oneDNNConv2dMatchesNaiveReference(_ convCase: ConvCase) {
    #expect(OneDNN.convolutionImplementation(for: convCase.geometry) != nil,
            "oneDNN must serve \(convCase.geometry) itself, not fall back")
    convCase.expectMatchesNaiveReference()
  }

  /// A batch cut into calls (2, 2 and 1 images of a grouped 3×3 convolution with bias): outputs
  /// and input gradients land at each call's images, and weight and bias gradients accumulate
  /// over the calls onto what was there, as the naive reference's do.
  @Test func aBatchCutIntoSeveralCallsMatchesTheNaiveReference() throws {
    let g = try Conv2dGeometry(batch: 5, inChannels: 8, height: 6, width: 6, outChannels: 8,
                               kernel: (3, 3), padding: (1, 1), groups: 4)
    let twoImages = 2 * (g.inChannels * g.inputPlane + g.outChannels * g.outputPlane)
    let input = ConvTestBuffer(randomValues(g.inputCount, seed: 21))
    let weight = ConvTestBuffer(randomValues(g.weightCount, seed: 22))
    let bias = ConvTestBuffer(randomValues(g.outChannels, seed: 23))
    let gradOutput = ConvTestBuffer(randomValues(g.outputCount, seed: 24))
    let workspace = Conv2dWorkspace()
    let (output, naiveOutput) = (ConvTestBuffer(count: g.outputCount), ConvTestBuffer(count: g.outputCount))
    #expect(oneDNNForward(input: input.pointer, weight: weight.pointer, bias: bias.pointer,
                          output: output.pointer, geometry: g, workspace: workspace, floatsPerCall: twoImages))
    naiveConv2dForward(input: input.pointer, weight: weight.pointer, bias: bias.pointer,
                       output: naiveOutput.pointer, geometry: g)
    #expect(maxRelativeError(output.values, naiveOutput.values) < 1e-4, "output")

    let (gradInput, naiveGradInput) = (ConvTestBuffer(count: g.inputCount), ConvTestBuffer(count: g.inputCount))
    let gradWeight = ConvTestBuffer(randomValues(g.weightCount, seed: 25))
    let naiveGradWeight = ConvTestBuffer(gradWeight.values)
    let gradBias = ConvTestBuffer(randomValues(g.outChannels, seed: 26))
    let naiveGradBias = ConvTestBuffer(gradBias.values)
    #expect(oneDNNBackward(input: input.pointer, weight: weight.pointer, gradOutput: gradOutput.pointer,
                           gradInput: gradInput.pointer, gradWeight: gradWeight.pointer,
                           gradBias: gradBias.pointer, geometry: g, workspace: workspace,
                           floatsPerCall: twoImages))
    naiveConv2dBackward(input: input.pointer, weight: weight.pointer, gradOutput: gradOutput.pointer,
                        gradInput: naiveGradInput.pointer, gradWeight: naiveGradWeight.pointer,
                        gradBias: naiveGradBias.pointer, geometry: g)
    #expect(maxRelativeError(gradInput.values, naiveGradInput.values) < 1e-4, "grad input")
    #expect(maxRelativeError(gradWeight.values, naiveGradWeight.values) < 1e-4, "grad weight")
    #expect(maxRelativeError(gradBias.values, naiveGradBias.values) < 1e-4, "grad bias")
  }

  /// Blocked layouts are what make oneDNN fast; the paper's 3×3 shapes must get a JIT kernel,
  /// not the reference or GEMM fallback (which would be slower than our own kernels).
  @Test func resNetShapesGetJITKernels() throws {
    let geometry = try Conv2dGeometry(batch: 4, inChannels: 64, height: 8, width: 8,
                                      outChannels: 64, kernel: (3, 3), padding: (1, 1))
    let implementation = try #require(OneDNN.convolutionImplementation(for: geometry))
    #expect(implementation.hasPrefix("jit"), "got \(implementation)")
  }

  @Test func backwardWithoutInputGradientGivesTheSameWeightGradient() {
    ConvCase(2, 8, 6, 6, out: 8, kernel: (3, 3), padding: (1, 1), bias: false, algorithm: .oneDNN)
      .expectSkippingGradInputKeepsWeightGradient(seed: 11)
  }

  /// Same inputs, same thread count: bit-identical results, so seeded training stays repeatable.
  @Test func repeatedCallsAreBitIdentical() throws {
    let g = try Conv2dGeometry(batch: 4, inChannels: 16, height: 8, width: 8, outChannels: 32,
                               kernel: (3, 3), padding: (1, 1))
    let input = ConvTestBuffer(randomValues(g.inputCount, seed: 21))
    let weight = ConvTestBuffer(randomValues(g.weightCount, seed: 22))
    let gradOutput = ConvTestBuffer(randomValues(g.outputCount, seed: 23))
    func run() -> (output: [Float], gradInput: [Float], gradWeight: [Float]) {
      let output = ConvTestBuffer(count: g.outputCount)
      let gradInput = ConvTestBuffer(count: g.inputCount)
      let gradWeight = ConvTestBuffer([Float](repeating: 0, count: g.weightCount))
      let workspace = Conv2dWorkspace()
      conv2dForward(input: input.pointer, weight: weight.pointer, bias: nil, output: output.pointer,
                    geometry: g, workspace: workspace, algorithm: .oneDNN)
      conv2dBackward(input: input.pointer, weight: weight.pointer, gradOutput: gradOutput.pointer,
                     gradInput: gradInput.pointer, gradWeight: gradWeight.pointer, gradBias: nil,
                     geometry: g, workspace: workspace, algorithm: .oneDNN)
      return (output.values, gradInput.values, gradWeight.values)
    }
    let first = run(), second = run()
    #expect(first.output == second.output)
    #expect(first.gradInput == second.gradInput)
    #expect(first.gradWeight == second.gradWeight)
  }

  /// Test suites and concurrent sweeps call oneDNN from several threads at once; with its shared
  /// library scratchpad that corrupted memory. Each call now brings its own scratchpad.
  @Test func concurrentCallsFromSeveralThreadsMatchASerialCall() throws {
    let geometries = try [(16, 8), (16, 8), (8, 16), (24, 6)].map { channels, size in
      try Conv2dGeometry(batch: 3, inChannels: channels, height: size, width: size,
                         outChannels: channels, kernel: (3, 3), padding: (1, 1))
    }
    @Sendable func forward(_ g: Conv2dGeometry) -> [Float] {
      let input = ConvTestBuffer(randomValues(g.inputCount, seed: 31))
      let weight = ConvTestBuffer(randomValues(g.weightCount, seed: 32))
      let output = ConvTestBuffer(count: g.outputCount)
      conv2dForward(input: input.pointer, weight: weight.pointer, bias: nil, output: output.pointer,
                    geometry: g, workspace: Conv2dWorkspace(), algorithm: .oneDNN)
      return output.values
    }
    let serial = geometries.map(forward)
    let results = ConcurrentResults(count: geometries.count * 4)
    DispatchQueue.concurrentPerform(iterations: results.value.count) { index in
      results.set(index, forward(geometries[index % geometries.count]))
    }
    for (index, result) in results.value.enumerated() {
      #expect(result == serial[index % geometries.count], "call \(index)")
    }
  }
}

/// Results written by concurrent workers, each to its own index.
private final class ConcurrentResults: Sendable {
  private let store: Mutex<[[Float]]>
  init(count: Int) { store = Mutex([[Float]](repeating: [], count: count)) }
  var value: [[Float]] { store.withLock { $0 } }
  func set(_ index: Int, _ result: [Float]) { store.withLock { $0[index] = result } }
}
