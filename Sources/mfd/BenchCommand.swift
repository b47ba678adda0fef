import ArgumentParser
import Benchmarks
import Foundation

struct Bench: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Measure the engine: sgemm ceiling, ResNet50 convolution GFLOPS, MFD loss cost.",
    discussion: """
      Everything is measured in the same run, so ratios stay honest on a shared machine. \
      Prints Markdown tables, then one JSON line (prefixed 'JSON ') for scripts.
      """)

  @Option(help: "Worker threads for OpenBLAS and the engine's own loops.")
  var threads: Int = 2

  @Option(help: "Batch size of the measured layers.")
  var batch: Int = 128

  @Option(help: "Timed repetitions per measurement (the median is reported).")
  var repetitions: Int = 3

  func validate() throws {
    guard threads >= 1 else { throw ValidationError("--threads must be at least 1, got \(threads)") }
    guard batch >= 2 else { throw ValidationError("--batch must be at least 2 (batch-norm and MFD need two samples), got \(batch)") }
    guard repetitions >= 1 else { throw ValidationError("--repetitions must be at least 1") }
  }

  func run() throws {
    let report = EngineBenchmark.run(threads: threads, batch: batch, repetitions: repetitions) {
      FileHandle.standardError.write(Data("  \($0)\n".utf8))
    }
    print(report.markdown)
    print("")
    print("JSON " + report.jsonLine)
  }
}
