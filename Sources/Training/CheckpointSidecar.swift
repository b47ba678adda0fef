import Foundation

/// The JSON file written next to each epoch's safetensors file, after it: the run's position and
/// history, and the SHA-256 of the weights file, so that a weights file that was replaced,
/// truncated or flipped after its sidecar was written (a torn pair) is detected before loading.
///
/// The weights file holds the model state and the SGD momentum buffers; this holds the rest of
/// the resumable state. There is no generator state to save: every random draw of a run is
/// derived from (seed, epoch[, batch]) — data order and augmentation on the data side, dropout
/// masks here — so the next epoch number *is* the RNG and data position.
public struct CheckpointSidecar: Sendable, Equatable, Codable {
  /// Bumped whenever the meaning of a field changes; other versions are rejected, not guessed.
  public static let currentFormat = 1

  public var format: Int
  /// Epochs finished (1-based count): the run resumes at 0-based epoch `epochsCompleted`.
  public var epochsCompleted: Int
  /// Where the next epoch starts: always batch 0 of epoch `epochsCompleted`, as only whole
  /// epochs are checkpointed.
  public var position: DataPosition
  /// The weights file's name, in the same directory.
  public var weightsFile: String
  public var weightsBytes: Int
  /// Lowercase hex SHA-256 of the weights file's bytes.
  public var weightsSHA256: String
  public var configuration: TrainingConfiguration
  /// Worker threads of the process that trained the last epoch: results are bit-identical only
  /// when a run resumes with the same count.
  public var threads: Int
  /// One row per finished epoch, in order.
  public var history: [EpochMetrics]
  /// The epochs (1-based counts finished) at which this run was resumed from disk, in order.
  public var resumedAt: [Int]
  /// Lowercase hex SHA-256 of this sidecar's own encoding with this field empty, so that a
  /// sidecar altered after writing (a flipped digit still decodes) is rejected too.
  public var contentSHA256: String

  /// The file's bytes: sorted keys, pretty-printed, with `contentSHA256` filled in.
  public func encoded() throws -> Data {
    var copy = self
    copy.contentSHA256 = ""
    copy.contentSHA256 = EpochCheckpointStore.sha256(try Self.encoder.encode(copy))
    return try Self.encoder.encode(copy)
  }

  /// Whether `contentSHA256` matches the content (decoding and encoding are exact for every
  /// field, so re-encoding reproduces the bytes that were hashed).
  public var contentVerifies: Bool {
    var copy = self
    copy.contentSHA256 = ""
    guard let bytes = try? Self.encoder.encode(copy) else { return false }
    return EpochCheckpointStore.sha256(bytes) == contentSHA256
  }

  private static var encoder: JSONEncoder { TrainingJSON.encoder() }
}

/// A point in the stream of batches.
public struct DataPosition: Sendable, Equatable, Codable {
  /// 0-based epoch.
  public var epoch: Int
  /// 0-based batch within the epoch.
  public var batch: Int

  public init(epoch: Int, batch: Int) {
    self.epoch = epoch
    self.batch = batch
  }
}
