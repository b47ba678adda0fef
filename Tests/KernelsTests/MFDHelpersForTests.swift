import Kernels
import TestSupport

/// A feature-map shape for the MFD tests: X is [batch, channels, height·width].
struct MFDShape: Sendable, CustomStringConvertible {
  var batch: Int, channels: Int, height: Int, width: Int
  var pixels: Int { height * width }
  var count: Int { batch * channels * pixels }
  var description: String { "[\(batch), \(channels), \(height), \(width)]" }

  init(_ batch: Int, _ channels: Int, _ height: Int, _ width: Int) {
    (self.batch, self.channels, self.height, self.width) = (batch, channels, height, width)
  }

  /// Flat index of X[b, c, p].
  func index(_ b: Int, _ c: Int, _ p: Int) -> Int { (b * channels + c) * pixels + p }
}

/// Uniform values in offset ± amplitude.
func mfdInput(_ shape: MFDShape, seed: UInt64, amplitude: Float = 1, offset: Float = 0) -> [Float] {
  randomValues(shape.count, seed: seed, in: -amplitude...amplitude).map { $0 + offset }
}

/// Standard normal values.
func gaussianInput(_ shape: MFDShape, seed: UInt64) -> [Float] {
  var generator = SeededGenerator(seed: seed, stream: [SeededGenerator.label("mfd-gaussian")])
  return (0..<shape.count).map { _ in generator.nextGaussian() }
}

/// Sets channel `c` of every sample and pixel to `value` (a dead channel once centred).
func setChannel(_ x: inout [Float], _ shape: MFDShape, _ c: Int, to value: Float) {
  for b in 0..<shape.batch {
    for p in 0..<shape.pixels { x[shape.index(b, c, p)] = value }
  }
}

/// The kernel's loss.
func kernelLoss(_ x: [Float], _ shape: MFDShape, workspace: MFDWorkspace = MFDWorkspace()) -> Float {
  mfdLossForward(input: x, batch: shape.batch, channels: shape.channels, pixels: shape.pixels,
                 workspace: workspace)
}

/// The kernel's loss and dL/dX (backward into zeros with scale 1).
func kernelLossAndGradient(
  _ x: [Float], _ shape: MFDShape, workspace: MFDWorkspace = MFDWorkspace()
) -> (loss: Float, gradient: [Float]) {
  let loss = kernelLoss(x, shape, workspace: workspace)
  var gradient = [Float](repeating: 0, count: shape.count)
  gradient.withUnsafeMutableBufferPointer { g in
    mfdLossBackward(input: x, scale: 1, gradOutput: g.baseAddress!, gradInput: g.baseAddress!, workspace: workspace)
  }
  return (loss, gradient)
}

func naiveLoss(_ x: [Float], _ shape: MFDShape) -> Double {
  naiveMFDLoss(input: x, batch: shape.batch, channels: shape.channels, pixels: shape.pixels)
}

func naiveGradient(_ x: [Float], _ shape: MFDShape) -> [Float] {
  var gradient = [Float](repeating: 0, count: shape.count)
  naiveMFDGradient(input: x, batch: shape.batch, channels: shape.channels, pixels: shape.pixels,
                   gradient: &gradient)
  return gradient
}

/// |actual − expected| relative to |expected| (floored so an exact 0 compares absolutely).
func relativeError(_ actual: Double, _ expected: Double, floor: Double = 1e-12) -> Double {
  abs(actual - expected) / max(abs(expected), floor)
}
