import Foundation

/// What a runner is doing right now, replaced atomically in `<store>/status.json` so `mfd status`
/// can read it from another process at any moment without taking the lock.
public struct LiveStatus: Sendable, Codable, Equatable {
  public struct Running: Sendable, Codable, Equatable {
    public let id: StepID
    public let threads: Int
    public let attempt: Int
    /// Seconds since the Unix epoch when this attempt started.
    public let startedAt: Double
    public var progress: StepProgress?
    /// Seconds left, from the progress fraction and the elapsed time.
    public var etaSeconds: Double?
  }

  public let pid: Int32
  /// Seconds since the Unix epoch.
  public let startedAt: Double
  public var updatedAt: Double
  /// Steps this run will execute, and how many have finished (done, failed, skipped).
  public var total: Int
  public var finished: Int
  public var failed: [String]
  public var running: [Running]
  /// "running", "stopping", "finished", "failed", "stopped".
  public var state: String

  public static func read(_ layout: StoreLayout) -> LiveStatus? {
    guard let data = FileManager.default.contents(atPath: layout.statusFile.path) else { return nil }
    return try? JSONDecoder().decode(LiveStatus.self, from: data)
  }

  func write(_ layout: StoreLayout) throws {
    try StoreFile.writeJSON(self, to: layout.statusFile, durable: false)
  }
}
