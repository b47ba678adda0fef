/// One mini-batch ready for the engine.
public struct Batch: Sendable, Equatable {
  public var epoch: Int
  public var index: Int
  public var count: Int
  public var channels: Int
  public var height: Int
  public var width: Int
  /// [count, channels, height, width], normalised.
  public var images: [Float]
  /// [count] class indices.
  public var labels: [Int32]
  /// [count] positions in the split, for tracing a sample back to its image.
  public var sampleIndices: [Int]
}
