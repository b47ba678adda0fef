import Kernels

/// MFD forward + backward on one stage output, against what its GEMM FLOPs would cost at the
/// sgemm rate: the acceptance bar is time ≤ 1.1 × (SYRK + M·Z FLOPs / sgemm rate).
public struct MFDMeasurement: Sendable, Codable {
  public var stage: String
  /// [B, C, H, W]
  public var shape: [Int]
  /// Forward + backward.
  public var seconds: Double
  /// The forward alone (centring and Gram, the loss and M).
  public var forwardSeconds: Double
  /// GEMM FLOPs of one forward + backward: C(C+1)/2·BN for SYRK + C²·BN for M·Z, ×2.
  public var gemmFLOPs: Double

  /// The time its GEMM FLOPs take at `sgemmGFLOPS`.
  public func gemmBoundSeconds(sgemmGFLOPS: Double) -> Double { gemmFLOPs / (sgemmGFLOPS * 1e9) }
}

/// The stage outputs of a CIFAR ResNet50 at 32×32 (the paper's five MFD placements).
public let resnet50StageOutputs: [(stage: String, channels: Int, side: Int)] = [
  ("S0", 64, 32), ("S1", 256, 32), ("S2", 512, 16), ("S3", 1024, 8), ("S4", 2048, 4),
]

/// Times the MFD loss forward and backward for each stage at `batch`.
public func measureMFD(batch: Int, repetitions: Int = 5) -> [MFDMeasurement] {
  resnet50StageOutputs.map { stage in
    let pixels = stage.side * stage.side
    let count = batch * stage.channels * pixels
    let x = makeBuffer(count, seed: 5), dy = makeBuffer(count, seed: 6), dx = makeBuffer(count, seed: 7)
    defer { x.deallocate(); dy.deallocate(); dx.deallocate() }
    let workspace = MFDWorkspace()
    let seconds = medianSeconds(warmup: 1, repetitions: repetitions) {
      _ = mfdLossForward(input: x, batch: batch, channels: stage.channels, pixels: pixels, workspace: workspace)
      mfdLossBackward(input: x, scale: 1, gradOutput: dy, gradInput: dx, workspace: workspace)
    }
    let forwardSeconds = medianSeconds(warmup: 0, repetitions: repetitions) {
      _ = mfdLossForward(input: x, batch: batch, channels: stage.channels, pixels: pixels, workspace: workspace)
    }
    let flops = 2 * Double(mfdLossMACs(batch: batch, channels: stage.channels, pixels: pixels))
    return MFDMeasurement(
      stage: stage.stage, shape: [batch, stage.channels, stage.side, stage.side],
      seconds: seconds, forwardSeconds: forwardSeconds, gemmFLOPs: flops)
  }
}
