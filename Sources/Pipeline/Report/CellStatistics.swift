/// Seed statistics of one table cell.
public struct CellStatistics: Sendable, Equatable, Codable {
  /// Per-seed values found, by seed.
  public let values: [Int: Double]
  /// Seeds the profile asks for.
  public let expectedSeeds: [Int]

  public init(values: [Int: Double], expectedSeeds: [Int]) {
    self.values = values
    self.expectedSeeds = expectedSeeds
  }

  public var n: Int { values.count }
  public var missingSeeds: [Int] { expectedSeeds.filter { values[$0] == nil } }

  public var mean: Double? {
    guard !values.isEmpty else { return nil }
    return orderedValues.reduce(0, +) / Double(values.count)
  }

  /// Sample standard deviation, denominator n − 1 (nil for n < 2, where it is undefined).
  public var sampleStandardDeviation: Double? {
    guard values.count >= 2, let mean else { return nil }
    let squares = orderedValues.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
    return (squares / Double(values.count - 1)).squareRoot()
  }

  /// Values in seed order, so sums are computed in one fixed order (bit-identical reports).
  private var orderedValues: [Double] { values.keys.sorted().map { values[$0]! } }
}
