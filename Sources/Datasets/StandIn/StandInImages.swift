import Foundation
import Kernels

/// Deterministic images whose class can be learned: each class has its own base colour and
/// stripe pattern (direction, frequency, phase), each image its own small phase shift and noise.
///
/// A network trained on them beats chance only if images and labels stay paired through
/// archive, extraction, decoding and caching, which is the point of a stand-in: the numbers
/// say nothing about the real dataset, but a broken data path shows.
public struct StandInImages: Sendable {
  public let classes: Int
  public let side: Int
  public let seed: UInt64

  public init(classes: Int, side: Int, seed: UInt64 = 0) {
    self.classes = classes
    self.side = side
    self.seed = seed
  }

  /// The `index`-th image of class `label`: [side, side, 3] interleaved RGB.
  public func rgb(label: Int, index: Int) -> [UInt8] {
    var classRandom = SeededGenerator(seed: seed, stream: [SeededGenerator.label("stand-in-class"), UInt64(label)])
    let base = (0..<3).map { _ in Double(classRandom.nextFloat(in: 60, 196)) }
    let angle = Double(classRandom.nextFloat(in: 0, Float.pi))
    let frequency = Double(1 + classRandom.next() % 4)
    let phase = Double(classRandom.nextFloat(in: 0, 2 * Float.pi))
    // Channel weights of the stripes, rotated by class so colour and pattern both carry the label.
    let weights = [1.0, 0.6, 0.25].rotated(by: label % 3)
    var imageRandom = SeededGenerator(seed: seed, stream: [SeededGenerator.label("stand-in-image"), UInt64(label), UInt64(index)])
    let shift = Double(imageRandom.nextFloat(in: -0.4, 0.4))
    let (dx, dy) = (cos(angle), sin(angle))
    var pixels = [UInt8](repeating: 0, count: side * side * 3)
    for y in 0..<side {
      for x in 0..<side {
        let wave = sin(2 * Double.pi * frequency * (Double(x) * dx + Double(y) * dy) / Double(side) + phase + shift)
        for c in 0..<3 {
          let noise = Double(imageRandom.nextFloat(in: -24, 24))
          let value = base[c] + 56 * weights[c] * wave + noise
          pixels[(y * side + x) * 3 + c] = UInt8(max(0, min(255, value.rounded())))
        }
      }
    }
    return pixels
  }

  /// The same image planar ([3, side, side]), as CIFAR's binary records store it.
  public func planarRGB(label: Int, index: Int) -> [UInt8] {
    let interleaved = rgb(label: label, index: index)
    let plane = side * side
    var planar = [UInt8](repeating: 0, count: plane * 3)
    for p in 0..<plane {
      for c in 0..<3 { planar[c * plane + p] = interleaved[p * 3 + c] }
    }
    return planar
  }
}

extension Array {
  fileprivate func rotated(by shift: Int) -> [Element] {
    guard !isEmpty else { return self }
    let s = shift % count
    return Array(self[s...] + self[..<s])
  }
}
