import Kernels

extension ImageSet {
  /// `count` images, as many of each class as possible (classes take turns in index order),
  /// drawn by `seed` and kept in their original order: the reduced profiles' data subsets.
  /// The whole set when `count` ≥ its size.
  public func balancedSubset(count: Int, seed: UInt64) -> ImageSet {
    guard count < self.count else { return self }
    var generator = SeededGenerator(seed: seed, stream: [SeededGenerator.label("subset")])
    var byClass = [[Int]](repeating: [], count: max(1, classNames.count))
    for index in 0..<self.count { byClass[Int(labels[index])].append(index) }
    for c in byClass.indices { byClass[c].shuffle(using: &generator) }
    var chosen: [Int] = []
    chosen.reserveCapacity(count)
    var round = 0
    while chosen.count < count {
      for members in byClass where round < members.count && chosen.count < count {
        chosen.append(members[round])
      }
      round += 1
    }
    chosen.sort()
    return selecting(chosen)
  }

  /// The images at `indices`, in that order.
  public func selecting(_ indices: [Int]) -> ImageSet {
    let size = channels * height * width
    var pixels = [UInt8]()
    pixels.reserveCapacity(indices.count * size)
    for index in indices { pixels.append(contentsOf: self.pixels[(index * size)..<((index + 1) * size)]) }
    return ImageSet(
      count: indices.count, channels: channels, height: height, width: width, pixels: pixels,
      labels: indices.map { labels[$0] },
      coarseLabels: coarseLabels.isEmpty ? [] : indices.map { coarseLabels[$0] },
      classNames: classNames, coarseClassNames: coarseClassNames)
  }
}
