import Foundation

/// The file every evaluate step writes: `metrics.json`, a flat JSON object of named numbers
/// (`{"top1_accuracy": 93.25}` with accuracies in %). Reports read the manifest's metric from it.
public enum EvaluationMetrics {
  public static let fileName = "metrics.json"

  /// Non-finite values (a diverged run) are kept as the strings "nan", "inf" and "-inf".
  public static func write(_ metrics: [String: Double], to directory: URL) throws {
    let object = ConfigValue.object(metrics.mapValues(configValue))
    try Data(object.canonicalJSON.utf8).write(to: directory.appendingPathComponent(fileName))
  }

  /// A metric as JSON: the number, or "nan" / "inf" / "-inf", which JSON cannot hold as numbers.
  static func configValue(_ value: Double) -> ConfigValue {
    value.isFinite ? .double(value) : .string(value.isNaN ? "nan" : value > 0 ? "inf" : "-inf")
  }

  public static func read(from directory: URL) throws -> [String: Double] {
    let url = directory.appendingPathComponent(fileName)
    guard let data = FileManager.default.contents(atPath: url.path) else { throw StoreError.cannotRead(url.path) }
    let value = try JSONDecoder().decode(ConfigValue.self, from: data)
    guard let object = value.objectValue else { throw StoreError.unreadableRecord(path: url.path, reason: "not a JSON object") }
    return object.compactMapValues { value in
      switch value.stringValue {
      case "nan": return .nan
      case "inf": return .infinity
      case "-inf": return -.infinity
      default: return value.doubleValue
      }
    }
  }
}
