import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A one-line progress bar on stderr: percentage, bytes, rate and ETA, redrawn at most five times
/// a second so that a fast local copy does not spend its time printing.
public final class TransferProgress: @unchecked Sendable {
  // @unchecked: every mutation happens on the transfer's serial delegate queue or the calling
  // thread, never both at once (a transfer reports from one place).
  private let label: String
  /// Expected final size; a transfer sets it once the source tells (HTTP headers, file size).
  var total: Int64?
  private let startOffset: Int64
  private let start = Date()
  private var lastDraw = Date.distantPast
  private let enabled: Bool
  /// Redraw in place only on a terminal; a log file gets just the final line.
  private let interactive = isatty(STDERR_FILENO) == 1

  /// - Parameters:
  ///   - total: expected size when known.
  ///   - startOffset: bytes already present (a resumed download); the rate counts only new ones.
  public init(label: String, total: Int64?, startOffset: Int64, enabled: Bool) {
    self.label = label
    self.total = total
    self.startOffset = startOffset
    self.enabled = enabled
  }

  /// Reports that `bytes` bytes of the file are now present.
  public func update(_ bytes: Int64, final: Bool = false) {
    guard enabled else { return }
    let now = Date()
    guard final || (interactive && now.timeIntervalSince(lastDraw) >= 0.2) else { return }
    lastDraw = now
    let text = TransferProgress.line(label: label, bytes: bytes, total: total, newBytes: bytes - startOffset,
                                     seconds: now.timeIntervalSince(start))
    FileHandle.standardError.write(Data(((interactive ? "\r\u{1B}[2K" : "") + text + (final ? "\n" : "")).utf8))
  }

  /// The text of the bar, e.g. `cifar-10-binary.tar.gz  42.0% 71.4/170.1 MB  11.2 MB/s  ETA 0:09`.
  public static func line(label: String, bytes: Int64, total: Int64?, newBytes: Int64, seconds: Double) -> String {
    let mb = { (b: Int64) in String(format: "%.1f", Double(b) / 1e6) }
    let rate = seconds > 0 ? Double(newBytes) / seconds : 0
    var parts = [label]
    if let total, total > 0 {
      parts.append(String(format: "%5.1f%%", 100 * Double(bytes) / Double(total)) + " \(mb(bytes))/\(mb(total)) MB")
    } else {
      parts.append("\(mb(bytes)) MB")
    }
    parts.append(String(format: "%.1f MB/s", rate / 1e6))
    if let total, rate > 0, total >= bytes {
      let eta = Int((Double(total - bytes) / rate).rounded())
      parts.append(String(format: "ETA %d:%02d", eta / 60, eta % 60))
    }
    return parts.joined(separator: "  ")
  }
}
