import Engine
import Foundation
import Kernels

/// A seeded image-classification problem that a CNN genuinely has to learn, for exercising the
/// training loop without a downloaded dataset (`mfd train --data synthetic`, the tests).
///
/// Each class has a prototype image: per channel, a sum of three 2-D sinusoids of random
/// frequency (0.5–2 cycles per image), orientation and phase. Sample i of a split is
/// `contrast · prototype[i mod classes] + noise · N(0, 1)` per pixel, with the contrast drawn
/// in [0.6, 1.4]. Each sample is a pure function of (seed, split, i), so the problem costs no
/// memory and no file. The test split draws fresh noise: accuracy on it measures learning, not
/// memorisation.
public struct SyntheticClassification: Sendable {
  public let classes: Int
  public let channels: Int
  /// Images are `side` × `side`.
  public let side: Int
  public let trainCount: Int
  public let testCount: Int
  public let seed: UInt64
  /// Standard deviation of the per-pixel Gaussian noise (prototype pixels have variance ½).
  public let noise: Float
  /// [classes, channels, side, side]
  private let prototypes: [Float]

  public init(classes: Int, side: Int, trainCount: Int, testCount: Int, seed: UInt64,
              channels: Int = 3, noise: Float = 1) {
    precondition(classes >= 2 && side >= 1 && channels >= 1 && trainCount >= 1 && testCount >= 1,
                 "a synthetic problem needs ≥ 2 classes, a positive size and non-empty splits")
    self.classes = classes
    self.channels = channels
    self.side = side
    self.trainCount = trainCount
    self.testCount = testCount
    self.seed = seed
    self.noise = noise
    var generator = SeededGenerator(seed: seed, stream: [SeededGenerator.label("synthetic-prototypes")])
    var values = [Float](repeating: 0, count: classes * channels * side * side)
    let plane = side * side
    for k in 0..<classes * channels {
      for _ in 0..<3 {
        let frequency = Double(generator.nextFloat(in: 0.5, 2)) * 2 * Double.pi / Double(side)
        let angle = Double(generator.nextFloat(in: 0, Float.pi))
        let phase = Double(generator.nextFloat(in: 0, 2 * Float.pi))
        let (fx, fy) = (frequency * cos(angle), frequency * sin(angle))
        for y in 0..<side {
          for x in 0..<side {
            values[k * plane + y * side + x] += Float(sin(fx * Double(x) + fy * Double(y) + phase) / 3.squareRoot())
          }
        }
      }
    }
    prototypes = values
  }

  /// The two splits.
  public enum Split: String, Sendable { case train, test }

  /// The label of sample `index`: classes in turn, so every split is balanced.
  public func label(_ index: Int) -> Int32 { Int32(index % classes) }

  /// Writes sample `index` of `split` ([channels, side, side]) at `destination`, mirrored
  /// left–right when `flip`.
  public func render(_ split: Split, index: Int, flip: Bool, into destination: UnsafeMutablePointer<Float>) {
    var generator = SeededGenerator(seed: seed, stream: [SeededGenerator.label("synthetic-" + split.rawValue),
                                                         UInt64(index)])
    let contrast = generator.nextFloat(in: 0.6, 1.4)
    let plane = side * side
    let prototype = Int(label(index)) * channels * plane
    for c in 0..<channels {
      for y in 0..<side {
        for x in 0..<side {
          let source = prototype + c * plane + y * side + (flip ? side - 1 - x : x)
          destination[c * plane + y * side + x] = contrast * prototypes[source] + noise * generator.nextGaussian()
        }
      }
    }
  }

  /// Samples `indices` of `split` as one batch, each flipped where `flips` says.
  func batch(_ split: Split, indices: [Int], flips: [Bool]) -> LabelledBatch {
    let images = Tensor(zeros: [indices.count, channels, side, side])
    let size = channels * side * side
    for (slot, index) in indices.enumerated() {
      render(split, index: index, flip: flips[slot], into: images.pointer + slot * size)
    }
    return LabelledBatch(images: images, labels: indices.map(label))
  }

  /// The training split in shuffled batches of `batchSize` with random horizontal flips.
  public func trainingData(batchSize: Int) -> SyntheticTrainingData {
    precondition(batchSize >= 1, "batch size must be positive")
    return SyntheticTrainingData(problem: self, batchSize: batchSize)
  }

  /// The test split in order, unflipped, in batches of `batchSize` (the last may be smaller).
  public func evaluationData(batchSize: Int) -> SyntheticEvaluationData {
    precondition(batchSize >= 1, "batch size must be positive")
    return SyntheticEvaluationData(problem: self, batchSize: batchSize)
  }
}

/// The synthetic training split, honouring the `TrainingData` contract: epoch e's order is a
/// shuffle drawn from stream ("synthetic-order", e), batch b's flips from
/// ("synthetic-augment", e, b); the incomplete last batch is dropped.
public struct SyntheticTrainingData: TrainingData, Sendable {
  public let problem: SyntheticClassification
  public let batchSize: Int

  public var batchesPerEpoch: Int { problem.trainCount / batchSize }

  public func batch(epoch: Int, index: Int) throws -> LabelledBatch {
    precondition(index >= 0 && index < batchesPerEpoch, "batch \(index) of \(batchesPerEpoch)")
    var order = Array(0..<problem.trainCount)
    var shuffler = SeededGenerator(seed: problem.seed, stream: [SeededGenerator.label("synthetic-order"), UInt64(epoch)])
    order.shuffle(using: &shuffler)
    var flipper = SeededGenerator(seed: problem.seed, stream: [SeededGenerator.label("synthetic-augment"),
                                                                UInt64(epoch), UInt64(index)])
    let members = Array(order[index * batchSize..<(index + 1) * batchSize])
    return problem.batch(.train, indices: members, flips: members.map { _ in flipper.next() & 1 == 1 })
  }
}

/// The synthetic test split: samples in index order, no augmentation.
public struct SyntheticEvaluationData: EvaluationData, Sendable {
  public let problem: SyntheticClassification
  public let batchSize: Int

  public var sampleCount: Int { problem.testCount }
  public var batchCount: Int { (problem.testCount + batchSize - 1) / batchSize }

  public func batch(index: Int) throws -> LabelledBatch {
    precondition(index >= 0 && index < batchCount, "batch \(index) of \(batchCount)")
    let members = Array(index * batchSize..<min((index + 1) * batchSize, problem.testCount))
    return problem.batch(.test, indices: members, flips: members.map { _ in false })
  }
}
