import Engine
import Foundation
import Kernels
import Models

extension EpochCheckpointStore {
  /// Restores the newest intact checkpoint into `network` and `optimizer` (both freshly built
  /// from `configuration`) and returns its sidecar, or nil when none is intact (the run starts
  /// from scratch). Every checkpoint skipped is in the report with its reason; none is loaded
  /// unless its sidecar and checksum verify.
  /// - Throws: `TrainingError.configurationMismatch` when the newest intact checkpoint was written
  ///   under another configuration (continuing it would mix two recipes),
  ///   `.checkpointIncompatible` when it verifies but does not fit the network.
  public func restoreLatest(
    into network: Network, optimizer: SGD, configuration: TrainingConfiguration
  ) throws(TrainingError) -> (sidecar: CheckpointSidecar?, report: ResumeReport) {
    var rejected: [CheckpointRejection] = []
    for epoch in try epochsOnDisk() {
      let verified: (sidecar: CheckpointSidecar, file: SafetensorsFile)
      switch verify(epoch: epoch) {
      case .failure(let rejection):
        rejected.append(rejection)
        continue
      case .success(let value):
        verified = value
      }
      let sidecarPath = sidecarURL(epoch: epoch).path
      let differences = verified.sidecar.configuration.differences(from: configuration)
      guard differences.isEmpty else { throw .configurationMismatch(file: sidecarPath, fields: differences) }
      let weightsPath = weightsURL(epoch: epoch).path
      do {
        try Checkpoint.restore(verified.file, path: weightsPath, into: network, optimizer: optimizer)
      } catch {
        throw .checkpointIncompatible(path: weightsPath, reason: error.description)
      }
      let threads = verified.sidecar.threads
      return (verified.sidecar, ResumeReport(
        loaded: sidecarPath, epochsCompleted: epoch, rejected: rejected,
        threadsChangedFrom: threads == Threading.threadCount ? nil : threads))
    }
    return (nil, ResumeReport(loaded: nil, epochsCompleted: 0, rejected: rejected, threadsChangedFrom: nil))
  }

  /// Checks one epoch's pair without touching any model: the sidecar decodes, has this format
  /// and epoch, and the weights file beside it has the recorded size and SHA-256 and parses.
  public func verify(epoch: Int) -> Result<(sidecar: CheckpointSidecar, file: SafetensorsFile), CheckpointRejection> {
    let sidecarURL = sidecarURL(epoch: epoch), weightsURL = weightsURL(epoch: epoch)
    func reject(_ url: URL, _ reason: String) -> Result<(sidecar: CheckpointSidecar, file: SafetensorsFile), CheckpointRejection> {
      .failure(CheckpointRejection(path: url.path, reason: reason))
    }
    guard let json = FileManager.default.contents(atPath: sidecarURL.path) else {
      return reject(weightsURL, "its sidecar \(sidecarURL.lastPathComponent) is missing "
                    + "(the run stopped before vouching for it)")
    }
    let sidecar: CheckpointSidecar
    do { sidecar = try TrainingJSON.decoder().decode(CheckpointSidecar.self, from: json) } catch {
      return reject(sidecarURL, "not a readable checkpoint sidecar (\(Self.decodingProblem(error)))")
    }
    guard sidecar.format == CheckpointSidecar.currentFormat else {
      return reject(sidecarURL, "format \(sidecar.format), this code reads format \(CheckpointSidecar.currentFormat)")
    }
    guard sidecar.contentVerifies else {
      return reject(sidecarURL, "its content does not match its own SHA-256 (altered or corrupt after writing)")
    }
    guard sidecar.epochsCompleted == epoch, sidecar.position == DataPosition(epoch: epoch, batch: 0),
          sidecar.history.count == epoch, sidecar.weightsFile == weightsURL.lastPathComponent else {
      return reject(sidecarURL, "describes epoch \(sidecar.epochsCompleted) (weights '\(sidecar.weightsFile)', "
                    + "\(sidecar.history.count) history rows), not epoch \(epoch)")
    }
    guard let bytes = FileManager.default.contents(atPath: weightsURL.path) else {
      return reject(weightsURL, "missing or unreadable, but \(sidecarURL.lastPathComponent) records it")
    }
    guard bytes.count == sidecar.weightsBytes else {
      return reject(weightsURL, "\(bytes.count) bytes, its sidecar records \(sidecar.weightsBytes) (truncated or replaced)")
    }
    let digest = Self.sha256(bytes)
    guard digest == sidecar.weightsSHA256 else {
      return reject(weightsURL, "SHA-256 \(digest), its sidecar records \(sidecar.weightsSHA256) (corrupt, or a torn pair)")
    }
    do throws(SafetensorsError) {
      let file = try SafetensorsFile.decode(bytes, path: weightsURL.path)
      return .success((sidecar, file))
    } catch {
      return reject(weightsURL, error.reason)
    }
  }

  /// The decoder's complaint in one line, with the JSON path of the field at fault.
  private static func decodingProblem(_ error: any Error) -> String {
    func path(_ context: DecodingError.Context) -> String {
      context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
    }
    switch error as? DecodingError {
    case .keyNotFound(let key, let context):
      return "field '\(path(context).isEmpty ? key.stringValue : path(context) + "." + key.stringValue)' is missing"
    case .typeMismatch(_, let context), .valueNotFound(_, let context):
      return "field '\(path(context))': \(context.debugDescription)"
    case .dataCorrupted(let context):
      return path(context).isEmpty ? context.debugDescription : "field '\(path(context))': \(context.debugDescription)"
    default:
      return "\(error)"
    }
  }
}
