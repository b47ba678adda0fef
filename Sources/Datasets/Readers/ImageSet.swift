/// The decoded images and labels of one split, as stored in the cache.
public struct ImageSet: Sendable, Equatable {
  public var count: Int
  public var channels: Int
  public var height: Int
  public var width: Int
  /// [count, channels, height, width], 0…255, planar per image (CIFAR's own order).
  public var pixels: [UInt8]
  /// [count] class indices in 0..<classNames.count.
  public var labels: [Int32]
  /// [count] CIFAR-100 coarse (superclass) labels; empty for every other dataset.
  public var coarseLabels: [Int32]
  public var classNames: [String]
  /// Names of the coarse labels (CIFAR-100's 20 superclasses); empty when there are none.
  public var coarseClassNames: [String]

  public init(count: Int, channels: Int, height: Int, width: Int, pixels: [UInt8], labels: [Int32],
              coarseLabels: [Int32] = [], classNames: [String], coarseClassNames: [String] = []) {
    precondition(pixels.count == count * channels * height * width, "pixels must be [count, c, h, w]")
    precondition(labels.count == count, "one label per image")
    precondition(coarseLabels.isEmpty || coarseLabels.count == count, "coarse labels: none or one per image")
    self.count = count
    self.channels = channels
    self.height = height
    self.width = width
    self.pixels = pixels
    self.labels = labels
    self.coarseLabels = coarseLabels
    self.classNames = classNames
    self.coarseClassNames = coarseClassNames
  }

  /// Bytes per image (c · h · w).
  public var imageSize: Int { channels * height * width }

  /// Images per class, indexed by label.
  public var classCounts: [Int] {
    var counts = [Int](repeating: 0, count: classNames.count)
    for label in labels { counts[Int(label)] += 1 }
    return counts
  }

  /// Per-channel mean and standard deviation on the 0…1 scale (population std, as the published
  /// constants are computed), accumulated in Double.
  public func channelStatistics() -> (mean: [Double], std: [Double]) {
    var sum = [Double](repeating: 0, count: channels)
    var squares = [Double](repeating: 0, count: channels)
    let plane = height * width
    pixels.withUnsafeBufferPointer { p in
      for image in 0..<count {
        for c in 0..<channels {
          let start = (image * channels + c) * plane
          var s = 0, q = 0  // exact integer sums per plane
          for i in start..<start + plane {
            let v = Int(p[i])
            s += v
            q += v * v
          }
          sum[c] += Double(s)
          squares[c] += Double(q)
        }
      }
    }
    let n = Double(count * plane)
    let mean = sum.map { $0 / n / 255 }
    let std = zip(squares, mean).map { (($0 / n / (255 * 255)) - $1 * $1).squareRoot() }
    return (mean, std)
  }
}
