import Engine

/// One mini-batch as the training and evaluation loops consume it.
public struct LabelledBatch {
  /// [n, c, h, w], already normalised (and augmented, for training batches).
  public var images: Tensor
  /// [n] class indices in 0..<classes.
  public var labels: [Int32]

  /// - images: [n, c, h, w]; labels: n values.
  public init(images: Tensor, labels: [Int32]) {
    precondition(images.shape.count == 4 && images.shape[0] == labels.count,
                 "LabelledBatch: images \(images.shape) for \(labels.count) labels, expected [\(labels.count), c, h, w]")
    self.images = images
    self.labels = labels
  }

  /// Number of images.
  public var count: Int { labels.count }
}
