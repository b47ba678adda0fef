import Kernels

/// MFD forward + backward on one stage output, against what its GEMM FLOPs would cost at the
/// sgemm rate: the acceptance bar is time ≤ 1.1 × (SYRK + M·Z FLOPs / sgemm rate).
///
/// The rate is the square sgemm of the run's ceiling size timed in rounds alternating with the
/// loss itself: a shared machine's clock drifts by ±15 % within minutes, and a ceiling taken
/// before or after would move the ratio by as much.
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
  /// The sgemm rate measured alternately with this stage (median of the rounds).
  public var sgemmGFLOPS: Double

  /// The time its GEMM FLOPs take at the alternating sgemm rate.
  public var gemmBoundSeconds: Double { gemmFLOPs / (sgemmGFLOPS * 1e9) }
  /// Seconds over the GEMM bound (the acceptance bar is 1.1).
  public var ratio: Double { seconds / gemmBoundSeconds }
}

/// The stage outputs of a CIFAR ResNet50 at 32×32 (the paper's five MFD placements).
public let resnet50StageOutputs: [(stage: String, channels: Int, side: Int)] = [
  ("S0", 64, 32), ("S1", 256, 32), ("S2", 512, 16), ("S3", 1024, 8), ("S4", 2048, 4),
]

/// Times the MFD loss forward and backward for each stage at `batch`, in rounds with a square
/// sgemm of `sgemmSize`³.
public func measureMFD(batch: Int, repetitions: Int = 5, sgemmSize: Int = 1024) -> [MFDMeasurement] {
  let a = makeBuffer(sgemmSize * sgemmSize, seed: 1), b = makeBuffer(sgemmSize * sgemmSize, seed: 2)
  let c = makeBuffer(sgemmSize * sgemmSize, seed: 3)
  defer { a.deallocate(); b.deallocate(); c.deallocate() }
  let square = {
    sgemm(.none, .none, m: sgemmSize, n: sgemmSize, k: sgemmSize, a: a, lda: sgemmSize,
          b: b, ldb: sgemmSize, c: c, ldc: sgemmSize)
  }
  return resnet50StageOutputs.map { stage in
    let pixels = stage.side * stage.side
    let count = batch * stage.channels * pixels
    let x = makeBuffer(count, seed: 5), dy = makeBuffer(count, seed: 6), dx = makeBuffer(count, seed: 7)
    defer { x.deallocate(); dy.deallocate(); dx.deallocate() }
    let workspace = MFDWorkspace()
    let forward = {
      _ = mfdLossForward(input: x, batch: batch, channels: stage.channels, pixels: pixels, workspace: workspace)
    }
    let times = alternatingMedianSeconds(repetitions: repetitions, [
      { forward(); mfdLossBackward(input: x, scale: 1, gradOutput: dy, gradInput: dx, workspace: workspace) },
      forward,
      square,
    ])
    let flops = 2 * Double(mfdLossMACs(batch: batch, channels: stage.channels, pixels: pixels))
    return MFDMeasurement(
      stage: stage.stage, shape: [batch, stage.channels, stage.side, stage.side],
      seconds: times[0], forwardSeconds: times[1], gemmFLOPs: flops,
      sgemmGFLOPS: 2 * Double(sgemmSize * sgemmSize * sgemmSize) / times[2] / 1e9)
  }
}
