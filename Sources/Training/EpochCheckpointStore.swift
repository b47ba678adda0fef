import Crypto
import Engine
import Foundation
import Models

/// A run's epoch checkpoints in one directory: `epoch-0007.safetensors` (model state + SGD
/// momentum, loadable in PyTorch) and `epoch-0007.json` (a `CheckpointSidecar`), written in that
/// order, each atomically (temporary file, fsync, rename), so the sidecar's existence means its
/// weights file was complete. Only the newest `keep` epochs are kept.
///
/// Loading never trusts a file: the sidecar must decode, name the right epoch, and carry the
/// SHA-256 and size of the weights file beside it; a checkpoint failing any check is rejected
/// with the reason and the next older one is tried.
public struct EpochCheckpointStore: Sendable {
  public let directory: URL
  /// Epoch checkpoints kept on disk (the newest ones).
  public let keep: Int

  public init(directory: URL, keep: Int = 2) {
    precondition(keep >= 1, "keep at least one checkpoint")
    self.directory = directory
    self.keep = keep
  }

  /// The sidecar's URL for `epochsCompleted` finished epochs.
  public func sidecarURL(epoch: Int) -> URL { directory.appendingPathComponent(Self.stem(epoch) + ".json") }
  /// The weights file's URL for `epochsCompleted` finished epochs.
  public func weightsURL(epoch: Int) -> URL { directory.appendingPathComponent(Self.stem(epoch) + ".safetensors") }

  /// "epoch-0007": zero-padded so the files list in order.
  static func stem(_ epoch: Int) -> String {
    let digits = String(epoch)
    return "epoch-" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
  }

  /// Creates the directory if needed.
  public func prepare() throws(TrainingError) {
    do { try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true) } catch {
      throw .checkpointDirectory(path: directory.path, reason: (error as NSError).localizedDescription)
    }
  }

  /// Epoch numbers that have a sidecar or a weights file, newest first.
  public func epochsOnDisk() throws(TrainingError) -> [Int] {
    let names: [String]
    do { names = try FileManager.default.contentsOfDirectory(atPath: directory.path) } catch {
      if !FileManager.default.fileExists(atPath: directory.path) { return [] }
      throw .checkpointDirectory(path: directory.path, reason: (error as NSError).localizedDescription)
    }
    var epochs = Set<Int>()
    for name in names where name.hasPrefix("epoch-") {
      let stem = name.hasSuffix(".json") ? name.dropLast(5)
        : name.hasSuffix(".safetensors") ? name.dropLast(12) : nil
      if let stem, let epoch = Int(stem.dropFirst(6)), epoch >= 1 { epochs.insert(epoch) }
    }
    return epochs.sorted(by: >)
  }

  /// Writes the checkpoint of `sidecar.epochsCompleted` finished epochs — weights first, then the
  /// sidecar that vouches for them — and deletes the epochs older than the newest `keep`.
  public func save(
    network: Network, optimizer: SGD, sidecar template: CheckpointSidecar
  ) throws(TrainingError) {
    let epoch = template.epochsCompleted
    let weights = weightsURL(epoch: epoch)
    let file: SafetensorsFile
    do {
      file = try Checkpoint.contents(of: network, optimizer: optimizer,
                                     metadata: ["format": "mfd-repro epoch checkpoint", "epochs_completed": String(epoch)])
    } catch { throw .checkpointWrite(path: weights.path, reason: error.description) }
    // Serialised once: the same bytes are hashed and written.
    let bytes = file.serialized()
    var sidecar = template
    sidecar.weightsFile = weights.lastPathComponent
    sidecar.weightsBytes = bytes.count
    sidecar.weightsSHA256 = Self.sha256(bytes)
    let json: Data
    do { json = try sidecar.encoded() } catch {
      throw .checkpointWrite(path: sidecarURL(epoch: epoch).path, reason: "\(error)")
    }
    do {
      try writeAtomically([bytes], to: weights)
      try writeAtomically([json], to: sidecarURL(epoch: epoch))
    } catch { throw .checkpointWrite(path: error.path, reason: error.reason) }
    try prune(newest: epoch)
  }

  /// Deletes every epoch older than the newest `keep` up to `newest`: the sidecar first, so a
  /// deletion cut short leaves an unvouched weights file (rejected), never a dangling sidecar.
  private func prune(newest: Int) throws(TrainingError) {
    for epoch in try epochsOnDisk() where epoch <= newest - keep {
      for url in [sidecarURL(epoch: epoch), weightsURL(epoch: epoch)] {
        do {
          if FileManager.default.fileExists(atPath: url.path) { try FileManager.default.removeItem(at: url) }
        } catch {
          throw .checkpointDirectory(path: url.path, reason: "cannot delete an old checkpoint: \((error as NSError).localizedDescription)")
        }
      }
    }
  }

  /// Removes temporary files that a process killed while writing left behind (`.epoch-….tmp`).
  /// Call only when no other process writes to this directory (the pipeline's store lock).
  public func removeLeftoverTemporaries() {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
    for name in names where name.hasPrefix(".epoch-") && name.hasSuffix(".tmp") {
      try? FileManager.default.removeItem(at: directory.appendingPathComponent(name))
    }
  }

  /// Lowercase hex SHA-256 of `bytes`.
  public static func sha256(_ bytes: Data) -> String {
    SHA256.hash(data: bytes).map { byte in
      let hex = String(byte, radix: 16)
      return byte < 16 ? "0" + hex : hex
    }.joined()
  }
}
