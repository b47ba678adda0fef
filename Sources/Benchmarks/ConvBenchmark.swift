import Engine
import Kernels

/// One convolution shape of a network, and how often it occurs.
public struct ConvShape: Sendable, Codable {
  public var label: String
  public var inChannels: Int
  public var outChannels: Int
  public var kernel: Int
  public var side: Int
  /// How many layers of the network have this shape (weights the aggregate).
  public var occurrences: Int
}

/// The repeated bottleneck convolutions of a CIFAR ResNet50 at 32×32, stage by stage
/// (1×1 reduce, 3×3, 1×1 expand), weighted by the blocks per stage (3, 4, 6, 3).
public let resnet50StageConvolutions: [ConvShape] = {
  let stages = [(64, 32, 3), (128, 16, 4), (256, 8, 6), (512, 4, 3)]
  return stages.enumerated().flatMap { index, stage in
    let (planes, side, blocks) = stage
    return [
      ConvShape(label: "S\(index + 1) 1×1 \(4 * planes)→\(planes)", inChannels: 4 * planes,
                outChannels: planes, kernel: 1, side: side, occurrences: blocks),
      ConvShape(label: "S\(index + 1) 3×3 \(planes)→\(planes)", inChannels: planes,
                outChannels: planes, kernel: 3, side: side, occurrences: blocks),
      ConvShape(label: "S\(index + 1) 1×1 \(planes)→\(4 * planes)", inChannels: planes,
                outChannels: 4 * planes, kernel: 1, side: side, occurrences: blocks),
    ]
  }
}()

/// Timings of one shape: the Conv2d layer's forward and backward (input and weight gradients,
/// im2col and layout copies included), and a bare sgemm of the forward GEMM's shape.
public struct ConvMeasurement: Sendable, Codable {
  public var shape: ConvShape
  public var batch: Int
  public var macs: Int
  public var forwardSeconds: Double
  public var backwardSeconds: Double
  /// One sgemm of [outC] × [batch·H·W] × [inC·k²]: the same arithmetic with no layout work.
  public var sameShapeSgemmSeconds: Double
  /// The same layer on oneDNN (`MFD_CONVOLUTION=onednn`), reorders to and from NCHW included;
  /// measured in the same rounds as the OpenBLAS kernels, alternating.
  public var oneDNNForwardSeconds: Double
  public var oneDNNBackwardSeconds: Double

  public var forwardGFLOPS: Double { 2 * Double(macs) / forwardSeconds / 1e9 }
  public var backwardGFLOPS: Double { 4 * Double(macs) / backwardSeconds / 1e9 }
  public var totalGFLOPS: Double { 6 * Double(macs) / (forwardSeconds + backwardSeconds) / 1e9 }
  public var sameShapeSgemmGFLOPS: Double { 2 * Double(macs) / sameShapeSgemmSeconds / 1e9 }
  public var oneDNNTotalGFLOPS: Double {
    6 * Double(macs) / (oneDNNForwardSeconds + oneDNNBackwardSeconds) / 1e9
  }
}

/// Measures each shape at `batch` (3×3 padded by 1, stride 1) through the Engine's Conv2d layer.
public func measureConvolutions(
  _ shapes: [ConvShape], batch: Int, repetitions: Int = 3
) -> [ConvMeasurement] {
  shapes.map { shape in
    let conv = Conv2d(inChannels: shape.inChannels, outChannels: shape.outChannels,
                      kernelSize: shape.kernel, padding: shape.kernel / 2, bias: false)
    conv.initialise(seed: 1)
    let x = Tensor(zeros: [batch, shape.inChannels, shape.side, shape.side])
    let dy = Tensor(zeros: [batch, shape.outChannels, shape.side, shape.side])
    let fill = makeBuffer(max(x.count, dy.count), seed: 9)
    x.pointer.update(from: fill, count: x.count)
    dy.pointer.update(from: fill, count: dy.count)
    fill.deallocate()
    // Each round times both libraries back to back, so a noisy neighbour slows both alike.
    func on(_ library: ConvolutionLibrary, _ body: @escaping () -> Void) -> () -> Void {
      { let previous = ConvolutionLibrary.current
        ConvolutionLibrary.current = library
        body()
        ConvolutionLibrary.current = previous }
    }
    let times = alternatingMedianSeconds(repetitions: repetitions, [
      on(.openBLAS) { _ = conv.forward(x, mode: .train) },
      on(.openBLAS) { _ = conv.backward(dy) },
      on(.oneDNN) { _ = conv.forward(x, mode: .train) },
      on(.oneDNN) { _ = conv.backward(dy) },
    ])
    let (m, n, k) = (shape.outChannels, batch * shape.side * shape.side,
                     shape.inChannels * shape.kernel * shape.kernel)
    let a = makeBuffer(m * k), b = makeBuffer(k * n), c = makeBuffer(m * n)
    defer { a.deallocate(); b.deallocate(); c.deallocate() }
    let gemm = medianSeconds(warmup: 1, repetitions: repetitions) {
      sgemm(.none, .none, m: m, n: n, k: k, a: a, lda: k, b: b, ldb: n, c: c, ldc: n)
    }
    return ConvMeasurement(shape: shape, batch: batch, macs: m * n * k, forwardSeconds: times[0],
                           backwardSeconds: times[1], sameShapeSgemmSeconds: gemm,
                           oneDNNForwardSeconds: times[2], oneDNNBackwardSeconds: times[3])
  }
}

/// The network-weighted rate: all FLOPs (forward + both backward GEMMs) over all time, each
/// shape counted as often as it occurs in the network; `seconds` picks the library's timings
/// (ours by default).
public func weightedGFLOPS(
  _ measurements: [ConvMeasurement],
  seconds: (ConvMeasurement) -> Double = { $0.forwardSeconds + $0.backwardSeconds }
) -> Double {
  var flops = 0.0, total = 0.0
  for m in measurements {
    let times = Double(m.shape.occurrences)
    flops += times * 6 * Double(m.macs)
    total += times * seconds(m)
  }
  return flops / total / 1e9
}

/// The network-weighted rate of the same shapes on oneDNN.
public func weightedOneDNNGFLOPS(_ measurements: [ConvMeasurement]) -> Double {
  weightedGFLOPS(measurements) { $0.oneDNNForwardSeconds + $0.oneDNNBackwardSeconds }
}
