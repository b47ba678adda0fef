import Foundation

/// Per step id, the most recent keys it finished under with their configs: the memory that lets
/// `plan` say *why* a step runs again ("config changed: settings.optimizer.lr") instead of only "missing".
public struct StepIndex: Sendable {
  public struct Entry: Sendable, Codable, Equatable {
    public let key: StepKey
    public let config: ConfigValue
    public let codeVersion: String
    public let inputs: [StepRecord.Input]
  }

  /// Keys remembered per id; old ones drop off (their artifacts stay until `gc`).
  static let capacity = 8

  let layout: StoreLayout

  /// Most recent first.
  public func entries(for id: StepID) -> [Entry] {
    guard let data = FileManager.default.contents(atPath: layout.indexFile(id).path) else { return [] }
    return (try? JSONDecoder().decode([Entry].self, from: data)) ?? []
  }

  func remember(_ record: StepRecord, durable: Bool) throws {
    var entries = entries(for: record.id).filter { $0.key != record.key }
    entries.insert(Entry(key: record.key, config: record.config, codeVersion: record.codeVersion, inputs: record.inputs), at: 0)
    try StoreFile.writeJSON(Array(entries.prefix(Self.capacity)), to: layout.indexFile(record.id), durable: durable)
  }
}
