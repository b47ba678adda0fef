/// Per-channel mean and standard deviation on the 0…1 scale: a pixel p (0…255) of channel c becomes
/// (p / 255 − mean[c]) / std[c].
public struct Normalisation: Sendable, Equatable, Codable {
  public var mean: [Float]
  public var std: [Float]
  /// Where the constants come from, for the run record.
  public var origin: String

  public init(mean: [Float], std: [Float], origin: String) {
    precondition(mean.count == std.count && !mean.isEmpty, "one mean and one std per channel")
    self.mean = mean
    self.std = std
    self.origin = origin
  }

  /// For each channel, the 256 possible normalised values, so normalising a pixel is one load.
  /// - Returns: [channels · 256], channel-major.
  public func lookupTable() -> [Float] {
    var table = [Float](repeating: 0, count: mean.count * 256)
    for c in mean.indices {
      for p in 0..<256 { table[c * 256 + p] = (Float(p) / 255 - mean[c]) / std[c] }
    }
    return table
  }
}
