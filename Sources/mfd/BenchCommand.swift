import ArgumentParser
import Benchmarks
import Foundation
import Models

struct Bench: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Measure the engine: sgemm ceiling, ResNet50 convolution GFLOPS, MFD cost, model training steps.",
    discussion: """
      Everything is measured in the same run, so ratios stay honest on a shared machine. Each \
      network's training step runs in a child process so its peak memory is its own. Prints \
      Markdown tables, then one JSON line (prefixed 'JSON ') for scripts.
      """)

  @Option(help: "Worker threads for OpenBLAS and the engine's own loops.")
  var threads: Int = 2

  @Option(help: "Batch size of the measured layers and training steps.")
  var batch: Int = 128

  @Option(help: "Timed repetitions per measurement (the median is reported).")
  var repetitions: Int = 3

  @Option(parsing: .upToNextOption, help: "Networks whose training step to time (default: all).")
  var models: [Architecture] = Architecture.allCases

  @Flag(help: "Skip the networks' training steps.")
  var skipModels = false

  @Option(help: "Timed training steps per network (after one warm-up step).")
  var modelSteps: Int = 2

  @Flag(help: "Skip the kernel measurements (sgemm is still measured for the ratios).")
  var skipKernels = false

  @Option(parsing: .upToNextOption, help: "Kernel measurements to make: conv, mfd (default: both).")
  var kernels: [EngineBenchmark.KernelGroup] = EngineBenchmark.KernelGroup.allCases

  func validate() throws {
    guard threads >= 1 else { throw ValidationError("--threads must be at least 1, got \(threads)") }
    guard batch >= 2 else { throw ValidationError("--batch must be at least 2 (batch-norm and MFD need two samples), got \(batch)") }
    guard repetitions >= 1, modelSteps >= 1 else { throw ValidationError("--repetitions and --model-steps must be at least 1") }
  }

  func run() throws {
    let progress = { (line: String) in FileHandle.standardError.write(Data("  \(line)\n".utf8)) }
    var report = skipKernels
      ? EngineBenchmark.sgemmOnly(threads: threads, batch: batch)
      : EngineBenchmark.run(threads: threads, batch: batch, repetitions: repetitions,
                           kernels: Set(kernels), progress: progress)
    let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
    for architecture in skipModels ? [] : models {
      for mfd in [false, true] {
        progress("\(architecture.rawValue) training step\(mfd ? " + MFD" : "") (batch \(batch))…")
        var arguments = ["bench-step", "--model", architecture.rawValue, "--batch", "\(batch)",
                         "--steps", "\(modelSteps)", "--threads", "\(threads)"]
        if mfd { arguments.append("--mfd") }
        report.models.append(try measureModelStepInChildProcess(executable: executable, arguments: arguments))
      }
    }
    print(report.markdown)
    print("")
    print("JSON " + report.jsonLine)
  }
}

extension Architecture: ExpressibleByArgument {}
extension EngineBenchmark.KernelGroup: ExpressibleByArgument {}

/// Times one network's training step in this process and prints it as a `STEP {json}` line.
/// Used by `mfd bench` so that each measurement has its own peak memory.
struct BenchStep: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "bench-step", abstract: "Time one network's training step (used by 'mfd bench').",
    shouldDisplay: false)

  @Option var model: Architecture
  @Flag var mfd = false
  @Option var batch: Int = 128
  @Option var steps: Int = 2
  @Option var threads: Int = 2

  func run() throws {
    let measurement = try measureModelStep(model, mfd: mfd, batch: batch, steps: steps, threads: threads)
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    print("STEP " + String(decoding: try encoder.encode(measurement), as: UTF8.self))
  }
}
