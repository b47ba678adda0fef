import Engine
import Foundation
import Models
import Steps
import Training

/// A finished training step's outputs, as `TrainStepRunner` leaves them in its artifact folder:
/// `training.json` (the recipe and the per-epoch history) and `model.safetensors` (the weights).
public struct TrainedRun: Sendable {
  /// The folder holding both files (or the folder of the given `training.json`).
  public let folder: URL
  public let result: TrainingResult

  /// Reads the run at `path`: a training step's output folder or its `training.json` itself.
  public init(at path: URL) throws {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path.path, isDirectory: &isDirectory) else {
      throw FigureError.missingFile(path.path, hint: "expected a train step's output folder or its \(TrainStepRunner.resultFile)")
    }
    folder = isDirectory.boolValue ? path : path.deletingLastPathComponent()
    let file = isDirectory.boolValue ? path.appendingPathComponent(TrainStepRunner.resultFile) : path
    guard FileManager.default.fileExists(atPath: file.path) else {
      throw FigureError.missingFile(file.path, hint: "a finished train step writes it")
    }
    do {
      result = try TrainingJSON.decoder().decode(TrainingResult.self, from: Data(contentsOf: file))
    } catch {
      throw FigureError.unreadable(file.path, reason: "\(error)")
    }
  }

  public var weightsFile: URL { folder.appendingPathComponent(TrainStepRunner.weightsFile) }
  public var loss: LossLabel { LossLabel(result.configuration.model) }

  /// The network of `training.json`'s configuration with the weights of `model.safetensors`
  /// (a strict load: every parameter, buffer and counter must be in the file).
  public func network() throws -> Network {
    guard FileManager.default.fileExists(atPath: weightsFile.path) else {
      throw FigureError.missingFile(weightsFile.path, hint: "a finished train step writes it next to \(TrainStepRunner.resultFile)")
    }
    let network = try Network(result.configuration.model)
    try Checkpoint.load(from: weightsFile, into: network)
    return network
  }
}
