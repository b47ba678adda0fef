import Engine

/// Why a training run could not start, continue or save its progress. Every case says what to
/// change and names the file or field concerned.
public enum TrainingError: Error, CustomStringConvertible, Equatable {
  /// A configuration value no run can start with.
  case invalidConfiguration(field: String, reason: String)
  /// The data source broke the contract or failed to load (epoch nil for test batches).
  case data(epoch: Int?, batch: Int, reason: String)
  /// A training step refused its batch (shape or label), before any parameter changed.
  case step(epoch: Int, batch: Int, TrainingStepError)
  /// The loss became NaN or infinite: the run cannot recover from it.
  case diverged(epoch: Int, batch: Int, loss: Float)
  /// A fresh run was asked for in a directory that already holds another run's checkpoints.
  case checkpointsExist(directory: String)
  /// The checkpoint directory holds an intact checkpoint of a different configuration.
  case configurationMismatch(file: String, fields: [String])
  /// A checkpoint file could not be written (nothing of the epoch's pair was committed).
  case checkpointWrite(path: String, reason: String)
  /// An intact checkpoint (its checksum verifies) that does not fit the network built from its
  /// own configuration: the code's parameter naming changed since it was written.
  case checkpointIncompatible(path: String, reason: String)
  /// The checkpoint directory cannot be created or listed.
  case checkpointDirectory(path: String, reason: String)

  public var description: String {
    switch self {
    case .invalidConfiguration(let field, let reason):
      "invalid training configuration: \(field) \(reason)"
    case .data(let epoch, let batch, let reason):
      if let epoch { "training data, epoch \(epoch + 1) batch \(batch): \(reason)" }
      else { "evaluation data, batch \(batch): \(reason)" }
    case .step(let epoch, let batch, let error):
      "epoch \(epoch + 1) batch \(batch): the batch does not fit the network: \(error)"
    case .diverged(let epoch, let batch, let loss):
      "the loss diverged to \(loss) at epoch \(epoch + 1) batch \(batch); lower the learning rate or λ"
    case .checkpointsExist(let directory):
      "\(directory) already holds epoch checkpoints; resume them (--resume) or choose an empty directory"
    case .configurationMismatch(let file, let fields):
      "\(file) was written by a run with a different configuration (\(fields.joined(separator: ", "))); "
        + "use another checkpoint directory, or the configuration it was written with"
    case .checkpointWrite(let path, let reason):
      "cannot write checkpoint \(path): \(reason)"
    case .checkpointIncompatible(let path, let reason):
      "checkpoint \(path) verifies but does not fit this code's network (\(reason)); "
        + "resume it with the version that wrote it, or start a fresh run in another directory"
    case .checkpointDirectory(let path, let reason):
      "checkpoint directory \(path): \(reason)"
    }
  }
}
