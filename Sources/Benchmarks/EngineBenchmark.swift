import Foundation
import Kernels

/// Everything `mfd bench` measures about the engine, in one run so the ratios are honest.
public struct EngineBenchmark: Sendable, Codable {
  public var threads: Int
  public var batch: Int
  public var sgemm: SgemmRate
  public var convolutions: [ConvMeasurement]
  public var mfd: [MFDMeasurement]
  /// Training steps of whole networks (filled by the caller, one child process each).
  public var models: [ModelStepMeasurement] = []

  /// Forward + backward GFLOPS of the ResNet50 stage convolutions, weighted by occurrence.
  public var convolutionGFLOPS: Double { weightedGFLOPS(convolutions) }
  public var convolutionShareOfSgemm: Double { convolutionGFLOPS / sgemm.gflops }

  /// The kernel measurements `run` can make.
  public enum KernelGroup: String, CaseIterable, Sendable {
    case conv, mfd
  }

  /// Runs the sgemm ceiling, then the ResNet50 stage convolutions and the MFD stages (those in
  /// `kernels`).
  public static func run(
    threads: Int, batch: Int, repetitions: Int = 3, kernels: Set<KernelGroup> = Set(KernelGroup.allCases),
    progress: (String) -> Void = { _ in }
  ) -> EngineBenchmark {
    Threading.setThreadCount(threads)
    progress("sgemm ceiling…")
    var sgemm = measureSgemmCeiling()
    var convolutions: [ConvMeasurement] = []
    if kernels.contains(.conv) {
      progress("convolutions (ResNet50 stage shapes, batch \(batch))…")
      convolutions = measureConvolutions(resnet50StageConvolutions, batch: batch, repetitions: repetitions)
    }
    var mfd: [MFDMeasurement] = []
    if kernels.contains(.mfd) {
      progress("MFD loss at the five stage outputs…")
      mfd = measureMFD(batch: batch, repetitions: max(repetitions, 5), sgemmSize: sgemm.size)
    }
    // A shared machine's rate drifts: the ceiling is the best of a measurement before and after
    // the kernels, so a slow spell at the start does not flatter the ratios.
    progress("sgemm ceiling again…")
    sgemm = [sgemm, measureSgemmCeiling()].max { $0.gflops < $1.gflops }!
    return EngineBenchmark(threads: threads, batch: batch, sgemm: sgemm,
                           convolutions: convolutions, mfd: mfd)
  }

  /// Only the sgemm ceiling (for the model table's ratios when the kernels are skipped).
  public static func sgemmOnly(threads: Int, batch: Int) -> EngineBenchmark {
    Threading.setThreadCount(threads)
    return EngineBenchmark(threads: threads, batch: batch, sgemm: measureSgemmCeiling(),
                           convolutions: [], mfd: [])
  }

  /// Seconds of MFD forward + backward relative to the convolution time of the same stage
  /// (all its bottleneck convolutions, forward and backward).
  public func mfdShareOfStage(_ m: MFDMeasurement) -> Double? {
    let stageConvs = convolutions.filter { $0.shape.label.hasPrefix(m.stage + " ") }
    guard !stageConvs.isEmpty else { return nil }
    let convSeconds = stageConvs.reduce(0.0) {
      $0 + Double($1.shape.occurrences) * ($1.forwardSeconds + $1.backwardSeconds)
    }
    return m.seconds / convSeconds
  }

  /// Human-readable tables (Markdown).
  public var markdown: String {
    var lines = ["sgemm ceiling (\(sgemm.size)³, \(threads) threads): \(fmt(sgemm.gflops)) GFLOPS", "",
                 "Threading: \(Threading.description).", ""]
    if !convolutions.isEmpty { lines += convolutionLines + [""] }
    if !mfd.isEmpty { lines += mfdLines + [""] }
    if !models.isEmpty {
      lines += ["Training step per network, batch \(batch), 32×32, 100 classes, \(threads) threads:", "",
                modelMarkdown(models, sgemmGFLOPS: sgemm.gflops)]
    }
    return lines.joined(separator: "\n")
  }

  private var convolutionLines: [String] {
    var lines = [
      "ResNet50 stage convolutions, batch \(batch), 32×32 input (forward; backward = input + weight gradients):",
      "",
      "| layer | × | fwd GFLOPS | bwd GFLOPS | fwd+bwd GFLOPS | % of sgemm ceiling | same-shape sgemm GFLOPS | oneDNN fwd+bwd GFLOPS |",
      "|---|---|---|---|---|---|---|---|",
    ]
    for m in convolutions {
      lines.append("| \(m.shape.label) | \(m.shape.occurrences) | \(fmt(m.forwardGFLOPS)) | \(fmt(m.backwardGFLOPS)) | "
        + "\(fmt(m.totalGFLOPS)) | \(pct(m.totalGFLOPS / sgemm.gflops)) | \(fmt(m.sameShapeSgemmGFLOPS)) | "
        + "\(fmt(m.oneDNNTotalGFLOPS)) |")
    }
    lines.append("| **all, weighted** | 48 | | | **\(fmt(convolutionGFLOPS))** | **\(pct(convolutionShareOfSgemm))** | | "
      + "**\(fmt(weightedOneDNNGFLOPS(convolutions)))** (\(pct(weightedOneDNNGFLOPS(convolutions) / sgemm.gflops))) |")
    lines.append("")
    lines.append("oneDNN \(OneDNN.instructionSet) kernels with reorders from and to NCHW (`MFD_CONVOLUTION=onednn`); "
      + "the engine uses \(ConvolutionLibrary.current.rawValue).")
    return lines
  }

  private var mfdLines: [String] {
    var lines = [
      "MFD loss, forward + backward, at the five stage outputs (batch \(batch)); GEMM FLOPs = 4·C²·B·H·W "
        + "(Gram and M·Z as two sgemm, mfd-reference.md §1), executed = SYRK Gram + M·Z:",
      "",
      "| stage | shape | ms (forward + backward) | sgemm alongside, GFLOPS | GEMM FLOPs at that rate, ms | ratio (bar 1.1) "
        + "| executed FLOPs at that rate, ms | ratio to executed | share of the stage's conv time |",
      "|---|---|---|---|---|---|---|---|---|",
    ]
    for m in mfd {
      let share = mfdShareOfStage(m).map(pct) ?? "–"
      lines.append("| \(m.stage) | \(m.shape.dropFirst().map(String.init).joined(separator: "×")) | "
        + "\(fmt(m.seconds * 1000)) (\(fmt(m.forwardSeconds * 1000)) + \(fmt((m.seconds - m.forwardSeconds) * 1000))) | "
        + "\(fmt(m.sgemmGFLOPS)) | \(fmt(m.gemmBoundSeconds * 1000)) | \(fmt(m.ratio, 2))× | "
        + "\(fmt(m.executedBoundSeconds * 1000)) | \(fmt(m.seconds / m.executedBoundSeconds, 2))× | \(share) |")
    }
    let seconds = mfd.reduce(0) { $0 + $1.seconds }
    let bound = mfd.reduce(0) { $0 + $1.gemmBoundSeconds }
    let executed = mfd.reduce(0) { $0 + $1.executedBoundSeconds }
    lines.append("| **all five** | | **\(fmt(seconds * 1000))** | | **\(fmt(bound * 1000))** | **\(fmt(seconds / bound, 2))×** "
      + "| **\(fmt(executed * 1000))** | **\(fmt(seconds / executed, 2))×** | |")
    lines.append("")
    lines.append("Each stage's sgemm rate is a \(sgemm.size)³ sgemm timed in rounds alternating with the loss.")
    return lines
  }

  /// One JSON object on one line, for scripts.
  public var jsonLine: String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    let data = (try? encoder.encode(self)) ?? Data("{}".utf8)
    return String(decoding: data, as: UTF8.self)
  }
}

func fmt(_ value: Double, _ digits: Int = 1) -> String { String(format: "%.\(digits)f", value) }
func pct(_ value: Double) -> String { String(format: "%.1f %%", value * 100) }
