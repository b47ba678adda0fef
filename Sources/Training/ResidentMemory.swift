import Foundation

/// The process's resident memory as Linux reports it in /proc/self/status.
public enum ResidentMemory {
  /// Peak resident set size so far (`VmHWM`), bytes; 0 where /proc is unavailable (so a report
  /// shows "unknown" instead of a made-up number).
  public static func peakBytes() -> Int { field("VmHWM:") }

  /// Starts a new peak: `VmHWM` drops to the current resident size (Linux ≥ 4.0: "5" written to
  /// /proc/self/clear_refs). Lets a process that trains several models in turn report each
  /// one's own peak. Returns false where that is not possible (the peak then covers the process).
  @discardableResult
  public static func resetPeak() -> Bool {
    guard let handle = FileHandle(forWritingAtPath: "/proc/self/clear_refs") else { return false }
    defer { try? handle.close() }
    do { try handle.write(contentsOf: Data("5".utf8)) } catch { return false }
    return true
  }

  /// Current resident set size (`VmRSS`), bytes; 0 where /proc is unavailable.
  public static func currentBytes() -> Int { field("VmRSS:") }

  /// The value of a "Name:   1234 kB" line, in bytes.
  private static func field(_ name: String) -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in text.split(separator: "\n") where line.hasPrefix(name) {
      // "VmHWM:\t  123456 kB": a tab, then spaces.
      let parts = line.dropFirst(name.count).split(whereSeparator: { $0 == " " || $0 == "\t" })
      guard let value = parts.first.flatMap({ Int($0) }) else { return 0 }
      // The kernel always reports these in kB (KiB).
      return value * 1024
    }
    return 0
  }
}
