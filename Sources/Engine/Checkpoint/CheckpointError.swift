/// Why a checkpoint could not be saved or restored.
public enum CheckpointError: Error, CustomStringConvertible, Equatable, Sendable {
  /// The file itself is unreadable, malformed or could not be written.
  case file(SafetensorsError)
  /// Two model state entries share a dotted name, or one uses the reserved `optimizer.` prefix:
  /// such a model cannot be saved or loaded unambiguously.
  case conflictingName(String)
  /// The file does not fit the model; lists every problem, not only the first.
  case mismatch(path: String, CheckpointMismatch)
  /// The optimiser refused momentum buffers that passed validation (a bug, reported not hidden).
  case optimizerState(path: String, OptimizerStateError)

  public var description: String {
    switch self {
    case .file(let error):
      error.description
    case .conflictingName(let name):
      "model state name '\(name)' is duplicated or uses the reserved prefix '\(Checkpoint.optimizerPrefix)'"
    case .mismatch(let path, let mismatch):
      "checkpoint \(path) does not match the model:\n" + mismatch.description
    case .optimizerState(let path, let error):
      "checkpoint \(path): \(error)"
    }
  }
}

/// Every difference between a checkpoint's tensors and the model (and optimiser) they are loaded
/// into, each list sorted by name.
public struct CheckpointMismatch: Equatable, Sendable, CustomStringConvertible {
  /// A tensor whose shape in the file differs from the model's.
  public struct Shape: Equatable, Sendable {
    public var name: String
    public var fileShape: [Int]
    public var modelShape: [Int]
    public init(name: String, fileShape: [Int], modelShape: [Int]) {
      (self.name, self.fileShape, self.modelShape) = (name, fileShape, modelShape)
    }
  }

  /// A tensor stored with another element type than the model keeps (F64 for a parameter...).
  public struct DType: Equatable, Sendable {
    public var name: String
    public var fileDType: SafetensorsDType
    public var modelDType: SafetensorsDType
    public init(name: String, fileDType: SafetensorsDType, modelDType: SafetensorsDType) {
      (self.name, self.fileDType, self.modelDType) = (name, fileDType, modelDType)
    }
  }

  /// Model (or momentum) entries the file lacks.
  public var missingKeys: [String]
  /// File entries the model (or optimiser) has no place for.
  public var unexpectedKeys: [String]
  public var shapeMismatches: [Shape]
  public var dtypeMismatches: [DType]

  /// A list of problems, each sorted by name (tests build the expected value with this).
  public init(missingKeys: [String] = [], unexpectedKeys: [String] = [],
              shapeMismatches: [Shape] = [], dtypeMismatches: [DType] = []) {
    self.missingKeys = missingKeys
    self.unexpectedKeys = unexpectedKeys
    self.shapeMismatches = shapeMismatches
    self.dtypeMismatches = dtypeMismatches
  }

  /// True when the file fits the model exactly.
  public var isEmpty: Bool {
    missingKeys.isEmpty && unexpectedKeys.isEmpty && shapeMismatches.isEmpty
      && dtypeMismatches.isEmpty
  }

  /// One line per problem kind, e.g.
  /// `  shape mismatch for fc.weight: [10, 8] in the file, [10, 4] in the model`.
  public var description: String {
    var lines: [String] = []
    if !missingKeys.isEmpty {
      lines.append("  missing keys (\(missingKeys.count)): " + missingKeys.joined(separator: ", "))
    }
    if !unexpectedKeys.isEmpty {
      lines.append("  unexpected keys (\(unexpectedKeys.count)): "
                   + unexpectedKeys.joined(separator: ", "))
    }
    for m in shapeMismatches {
      lines.append("  shape mismatch for \(m.name): \(m.fileShape) in the file, \(m.modelShape) in the model")
    }
    for m in dtypeMismatches {
      lines.append("  dtype mismatch for \(m.name): \(m.fileDType.rawValue) in the file, "
                   + "\(m.modelDType.rawValue) in the model")
    }
    return lines.joined(separator: "\n")
  }
}
