/// A stack of feature maps, [channels, height, width] Float32 row-major: one image's activations
/// at one layer. Plain values (no `Tensor`) so this module needs nothing from the engine.
public struct FeatureMaps: Sendable, Equatable {
  public let channels: Int
  public let height: Int
  public let width: Int
  public let values: [Float]

  public init(channels: Int, height: Int, width: Int, values: [Float]) {
    precondition(channels > 0 && height > 0 && width > 0, "feature maps need positive dimensions")
    precondition(values.count == channels * height * width,
                 "\(values.count) values for [\(channels), \(height), \(width)]")
    self.channels = channels
    self.height = height
    self.width = width
    self.values = values
  }

  /// Channel `index`'s plane, row-major.
  public func plane(_ index: Int) -> ArraySlice<Float> {
    let size = height * width
    return values[index * size..<(index + 1) * size]
  }
}
