import Foundation

/// One line naming the hardware a step ran on: `AMD EPYC 7B13, 2 logical CPUs, 23.5 GiB RAM`.
/// Recorded with every step, so a table of measured times and memory (Table VII) can say where
/// they were measured.
public enum MachineDescription {
  public static let current: String = {
    let cpu = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))
      .flatMap { text in
        text.split(separator: "\n").first { $0.hasPrefix("model name") }
          .map { $0.split(separator: ":", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) } ?? "" }
      } ?? "unknown CPU"
    let memory = Double(ProcessInfo.processInfo.physicalMemory) / 1_073_741_824
    return "\(cpu), \(ProcessInfo.processInfo.activeProcessorCount) logical CPUs, \(String(format: "%.1f", memory)) GiB RAM"
  }()
}
