import Datasets
import Foundation
import Training

/// A preprocessed dataset ready for a training run: the training split shuffled and augmented,
/// the test split in order, both normalised with the catalogue's constants, optionally reduced
/// to class-balanced subsets (the reduced profiles).
public struct ExperimentData {
  public let training: DatasetTrainingData
  public let evaluation: DatasetEvaluationData
  public let descriptor: DatasetDescriptor
  /// Classes, channels and image side of the split (square images).
  public let classes: Int
  public let channels: Int
  public let side: Int

  /// What a run asks of its data.
  public struct Request: Sendable, Equatable, Codable {
    public var dataset: String
    public var batchSize: Int
    /// Seed of the subset draw, the shuffle and the augmentation.
    public var seed: UInt64
    /// Training / test images to keep (class-balanced, seeded); nil keeps the whole split.
    public var trainSubset: Int?
    public var testSubset: Int?
    public var augmentation: Augmentation

    public init(dataset: String, batchSize: Int, seed: UInt64, trainSubset: Int? = nil,
                testSubset: Int? = nil, augmentation: Augmentation = .paper) {
      self.dataset = dataset
      self.batchSize = batchSize
      self.seed = seed
      self.trainSubset = trainSubset
      self.testSubset = testSubset
      self.augmentation = augmentation
    }
  }

  /// Loads both splits from the preprocessed caches under `root` (`mfd data preprocess` makes
  /// them), verifying their checksums.
  public static func load(_ request: Request, root: URL) throws -> ExperimentData {
    let layout = DatasetLayout(root: root, name: request.dataset)
    return try load(request, train: layout.cacheFile(split: "train"), test: layout.cacheFile(split: "test"))
  }

  /// Loads both splits from a folder holding `train.mfdsplit` and `test.mfdsplit` (a preprocess
  /// step's outputs), verifying their checksums.
  public static func load(_ request: Request, splitsIn folder: URL) throws -> ExperimentData {
    try load(request, train: folder.appendingPathComponent("train.mfdsplit"),
             test: folder.appendingPathComponent("test.mfdsplit"))
  }

  /// Only the test split of such a folder (evaluation needs no training images), in order,
  /// reduced to `request.testSubset` exactly as `load` does.
  public static func loadEvaluation(_ request: Request, splitsIn folder: URL) throws -> DatasetEvaluationData {
    let descriptor = try Catalogue.descriptor(named: request.dataset)
    let test = try SplitCache.load(folder.appendingPathComponent("test.mfdsplit")).images
    return evaluationData(test, request, descriptor)
  }

  /// The test split reduced to `request.testSubset`, in order, normalised, not augmented.
  private static func evaluationData(
    _ images: ImageSet, _ request: Request, _ descriptor: DatasetDescriptor
  ) -> DatasetEvaluationData {
    var test = images
    if let subset = request.testSubset { test = test.balancedSubset(count: subset, seed: request.seed) }
    return DatasetEvaluationData(source: BatchSource(
      images: test, normalisation: descriptor.normalisation, batchSize: request.batchSize,
      seed: request.seed, shuffle: false, augmentation: .none, dropLast: false))
  }

  static func load(_ request: Request, train trainURL: URL, test testURL: URL) throws -> ExperimentData {
    let descriptor = try Catalogue.descriptor(named: request.dataset)
    var train = try SplitCache.load(trainURL).images
    let test = try SplitCache.load(testURL).images
    if let subset = request.trainSubset { train = train.balancedSubset(count: subset, seed: request.seed) }
    guard train.count >= request.batchSize else {
      throw ExperimentDataError.tooFewImages(dataset: request.dataset, images: train.count, batchSize: request.batchSize)
    }
    guard train.height == train.width else {
      throw ExperimentDataError.notSquare(dataset: request.dataset, height: train.height, width: train.width)
    }
    let trainSource = BatchSource(
      images: train, normalisation: descriptor.normalisation, batchSize: request.batchSize,
      seed: request.seed, shuffle: true, augmentation: request.augmentation, dropLast: true)
    return ExperimentData(
      training: DatasetTrainingData(source: trainSource), evaluation: evaluationData(test, request, descriptor),
      descriptor: descriptor, classes: train.classNames.count, channels: train.channels, side: train.height)
  }
}

public enum ExperimentDataError: Error, CustomStringConvertible, Equatable {
  case tooFewImages(dataset: String, images: Int, batchSize: Int)
  case notSquare(dataset: String, height: Int, width: Int)

  public var description: String {
    switch self {
    case .tooFewImages(let dataset, let images, let batchSize):
      "\(dataset): \(images) training images cannot fill one batch of \(batchSize); lower the batch size or raise the subset"
    case .notSquare(let dataset, let height, let width):
      "\(dataset): images are \(height)×\(width); the networks here take square images"
    }
  }
}
