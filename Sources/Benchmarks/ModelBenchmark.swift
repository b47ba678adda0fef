#if canImport(Glibc)
import Glibc
#endif
import Engine
import Foundation
import Kernels
import Models

/// One network's training step at batch `batch`, 32×32, measured in a fresh process so that its
/// peak resident memory is its own.
public struct ModelStepMeasurement: Sendable, Codable {
  public var architecture: Architecture
  public var mfd: Bool
  public var batch: Int
  /// Median seconds per SGD step (forward, loss, backward, update).
  public var secondsPerStep: Double
  /// Forward MACs per image (conv + linear).
  public var macsPerImage: Int
  /// MFD Gram + M·Z MACs per step (0 without MFD).
  public var mfdMACsPerStep: Int
  /// Peak resident set size of the measuring process, bytes.
  public var peakResidentBytes: Int
  /// Bytes held after the steps by tensors (parameters, gradients, activations), convolution
  /// scratch and MFD workspaces (`MemoryLedger`): where the resident memory goes.
  public var tensorBytes: Int
  public var convolutionScratchBytes: Int
  public var mfdScratchBytes: Int

  public var imagesPerSecond: Double { Double(batch) / secondsPerStep }
  /// Training FLOPs per step: forward + backward ≈ 3× forward MACs, 2 FLOPs per MAC, plus MFD.
  public var gflops: Double {
    (6 * Double(macsPerImage) * Double(batch) + 2 * Double(mfdMACsPerStep)) / secondsPerStep / 1e9
  }
}

/// Times `steps` training steps (after one warm-up step) of `architecture` in this process.
public func measureModelStep(
  _ architecture: Architecture, mfd: Bool, batch: Int, steps: Int, threads: Int
) throws -> ModelStepMeasurement {
  Threading.setThreadCount(threads)
  let network = try Network(ModelConfiguration(
    architecture: architecture, classes: 100, mfdPlacement: mfd ? .stages : .none))
  network.initialise(seed: 0)
  let trainer = ClassifierTrainer(model: network, optimizer: SGD(
    parameters: network.namedParameters(), learningRate: 0.01, momentum: 0.9, weightDecay: 5e-4))
  let input = Tensor(zeros: [batch, 3, 32, 32])
  var generator = SeededGenerator(seed: 1)
  for i in 0..<input.count { input[i] = generator.nextFloat(in: -2, 2) }
  let labels = (0..<batch).map { Int32($0 % 100) }
  var failure: Error?
  let seconds = medianSeconds(warmup: 1, repetitions: steps) {
    do { _ = try trainer.step(input: input, labels: labels) } catch { failure = error }
  }
  if let failure { throw failure }
  let mfdMACs = try network.stageShapes(side: 32).reduce(0) { total, shape in
    mfd ? total + mfdLossMACs(batch: batch, channels: shape[1], pixels: shape[2] * shape[3]) : total
  }
  return ModelStepMeasurement(
    architecture: architecture, mfd: mfd, batch: batch, secondsPerStep: seconds,
    macsPerImage: network.macsPerImage(side: 32), mfdMACsPerStep: mfdMACs,
    peakResidentBytes: peakResidentBytes(), tensorBytes: MemoryLedger.bytes(.tensors),
    convolutionScratchBytes: MemoryLedger.bytes(.convolutionScratch),
    mfdScratchBytes: MemoryLedger.bytes(.mfdScratch))
}

/// The process's peak resident set size so far, bytes (Linux reports ru_maxrss in KiB).
public func peakResidentBytes() -> Int {
  var usage = rusage()
  getrusage(RUSAGE_SELF.rawValue, &usage)
  return usage.ru_maxrss * 1024
}

/// Runs `measureModelStep` in a child process (`executable` with `arguments`), which prints
/// one JSON line prefixed `STEP `, so each network's peak memory is measured on its own.
public func measureModelStepInChildProcess(
  executable: String, arguments: [String]
) throws -> ModelStepMeasurement {
  let process = Process()
  process.executableURL = URL(fileURLWithPath: executable)
  process.arguments = arguments
  let pipe = Pipe()
  process.standardOutput = pipe
  try process.run()
  let data = pipe.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  let output = String(decoding: data, as: UTF8.self)
  guard process.terminationStatus == 0,
        let line = output.split(separator: "\n").last(where: { $0.hasPrefix("STEP ") }) else {
    throw BenchmarkError.childFailed(arguments.joined(separator: " "), status: process.terminationStatus)
  }
  return try JSONDecoder().decode(ModelStepMeasurement.self, from: Data(line.dropFirst(5).utf8))
}

public enum BenchmarkError: Error, CustomStringConvertible {
  case childFailed(String, status: Int32)
  public var description: String {
    switch self {
    case .childFailed(let arguments, let status):
      "benchmark child process '\(arguments)' failed with status \(status)"
    }
  }
}

/// The model table of `mfd bench`: each network with and without MFD, next to the sgemm ceiling
/// and PyTorch's published figures on this machine kind (reference/baseline.md, tcmalloc).
public func modelMarkdown(_ rows: [ModelStepMeasurement], sgemmGFLOPS: Double) -> String {
  let pytorch: [Architecture: Double] = [
    .resnet50: 18.3, .resnext50_32x4d: 16.4, .densenet121: 22.6, .mobilenet_v2_cifar: 96, .mobilenet_v2: 520,
  ]
  var lines = [
    "| network | MFD | img/s | s/step | MFD cost | GFLOPS | % of sgemm | peak RSS (GiB) | of which tensors / conv scratch / MFD (GiB) | PyTorch img/s (tcmalloc, baseline.md) |",
    "|---|---|---|---|---|---|---|---|---|---|",
  ]
  for r in rows {
    let torch = r.mfd ? "" : pytorch[r.architecture].map { fmt($0) } ?? "–"
    // The step time MFD adds, against the same network's softmax-only step in this run.
    let plain = rows.first { $0.architecture == r.architecture && !$0.mfd }
    let cost = r.mfd ? plain.map { signedPercent(r.secondsPerStep / $0.secondsPerStep - 1) } ?? "–" : ""
    lines.append("| \(r.architecture.rawValue) | \(r.mfd ? "stages" : "–") | \(fmt(r.imagesPerSecond)) | "
      + "\(fmt(r.secondsPerStep, 2)) | \(cost) | \(fmt(r.gflops)) | \(pct(r.gflops / sgemmGFLOPS)) | "
      + "\(gib(r.peakResidentBytes)) | \(gib(r.tensorBytes)) / \(gib(r.convolutionScratchBytes)) / "
      + "\(gib(r.mfdScratchBytes)) | \(torch) |")
  }
  return lines.joined(separator: "\n")
}

private func gib(_ bytes: Int) -> String { fmt(Double(bytes) / 1_073_741_824, 2) }

/// "+12.3 %" or "−4.0 %" (a negative cost is measurement noise, shown as measured).
func signedPercent(_ fraction: Double) -> String {
  (fraction < 0 ? "−" : "+") + pct(abs(fraction))
}
