import Foundation

/// Training state in one safetensors file: the model's state dict, optionally the SGD momentum
/// buffers, and a caller-supplied string metadata map (epoch, RNG state, data position...).
///
/// Names:
/// - model entries under their dotted names exactly as PyTorch's `state_dict()` spells them
///   (`layer1.0.conv1.weight`, `bn1.running_mean`, `bn1.num_batches_tracked`): parameters and
///   buffers as F32, counters as I64 scalars (shape `[]`). So
///   `model.load_state_dict(safetensors.torch.load_file(path), strict=False)` works in PyTorch
///   (non-strict only because of the optimiser entries), and a file written by
///   `safetensors.torch.save_file(model.state_dict(), path)` initialises a model here.
/// - momentum buffers under `optimizer.momentum_buffer.<parameter name>`, present only for the
///   parameters that have one (none before the first step, all after). Every `optimizer.` name is
///   reserved, so it can never collide with a model entry.
public enum Checkpoint {
  /// Reserved prefix of every optimiser entry.
  public static let optimizerPrefix = "optimizer."
  /// Prefix of the SGD momentum buffers; the parameter's dotted name follows.
  public static let momentumBufferPrefix = "optimizer.momentum_buffer."

  /// The file contents for `model`'s state, `optimizer`'s momentum buffers and `metadata`.
  /// - Throws: `CheckpointError.conflictingName` if two entries share a name.
  public static func contents(
    of model: any Layer, optimizer: SGD? = nil, metadata: [String: String] = [:]
  ) throws(CheckpointError) -> SafetensorsFile {
    var file = SafetensorsFile(metadata: metadata)
    for (name, entry) in try modelEntries(model) {
      switch entry {
      case .parameter(let p): file.tensors[name] = SafetensorsTensor(p.value)
      case .buffer(let t): file.tensors[name] = SafetensorsTensor(t)
      case .counter(let c): file.tensors[name] = SafetensorsTensor(shape: [], int64: [c.value])
      }
    }
    for (name, buffer) in optimizer?.namedMomentumBuffers ?? [] {
      file.tensors[momentumBufferPrefix + name] = SafetensorsTensor(buffer)
    }
    return file
  }

  /// Saves atomically to `url` (see `SafetensorsFile.write(to:)`).
  public static func save(
    _ model: any Layer, optimizer: SGD? = nil, metadata: [String: String] = [:], to url: URL
  ) throws(CheckpointError) {
    let file = try contents(of: model, optimizer: optimizer, metadata: metadata)
    do { try file.write(to: url) } catch { throw .file(error) }
  }

  /// Reads `url` and restores it into `model` (and `optimizer`), see `restore`.
  @discardableResult
  public static func load(
    from url: URL, into model: any Layer, optimizer: SGD? = nil,
    options: CheckpointLoadOptions = CheckpointLoadOptions()
  ) throws(CheckpointError) -> CheckpointLoadResult {
    let file: SafetensorsFile
    do { file = try SafetensorsFile(contentsOf: url) } catch { throw .file(error) }
    return try restore(file, path: url.path, into: model, optimizer: optimizer, options: options)
  }

  /// Copies `file`'s tensors into `model`'s parameters, buffers and counters, and its momentum
  /// buffers into `optimizer` (which should be freshly constructed: buffers absent from the file
  /// are left as they are). Everything is checked before anything is written, so a failed load
  /// leaves the model and optimiser untouched.
  ///
  /// Momentum buffers are optional as a whole (a checkpoint from before the first step has none),
  /// but once one is present every optimiser parameter needs one.
  /// - path: names the file in errors.
  /// - Throws: `CheckpointError.mismatch` listing every missing and unexpected key (when strict)
  ///   and every shape and dtype mismatch (always).
  @discardableResult
  public static func restore(
    _ file: SafetensorsFile, path: String, into model: any Layer, optimizer: SGD? = nil,
    options: CheckpointLoadOptions = CheckpointLoadOptions()
  ) throws(CheckpointError) -> CheckpointLoadResult {
    var targets: [String: Target] = [:]
    for (name, entry) in try modelEntries(model) {
      switch entry {
      case .parameter(let p): targets[name] = .float32(p.value)
      case .buffer(let t): targets[name] = .float32(t)
      case .counter(let c): targets[name] = .counter(c)
      }
    }
    var required = Set(targets.keys)
    var momentumTargets: [String: Target] = [:]
    if let optimizer, !options.ignoreOptimizerState {
      for (name, p) in optimizer.parameters {
        momentumTargets[momentumBufferPrefix + name] = .momentum(parameterName: name, shape: p.value.shape)
      }
      // All or none: SGD creates every buffer on its first step.
      if file.tensors.keys.contains(where: { $0.hasPrefix(momentumBufferPrefix) }) {
        required.formUnion(momentumTargets.keys)
      }
      targets.merge(momentumTargets) { model, _ in model }
    }

    var mismatch = CheckpointMismatch()
    var matched: [(name: String, tensor: SafetensorsTensor, target: Target)] = []
    for name in file.tensors.keys.sorted() {
      let tensor = file.tensors[name]!
      if options.ignoreOptimizerState && name.hasPrefix(optimizerPrefix) { continue }
      guard let target = targets[name] else {
        mismatch.unexpectedKeys.append(name)
        continue
      }
      var fits = true
      if tensor.dtype != target.dtype {
        mismatch.dtypeMismatches.append(.init(name: name, fileDType: tensor.dtype, modelDType: target.dtype))
        fits = false
      }
      if tensor.shape != target.shape {
        mismatch.shapeMismatches.append(.init(name: name, fileShape: tensor.shape, modelShape: target.shape))
        fits = false
      }
      if fits { matched.append((name, tensor, target)) }
    }
    mismatch.missingKeys = required.subtracting(file.tensors.keys).sorted()

    let tolerated = CheckpointMismatch(shapeMismatches: mismatch.shapeMismatches,
                                       dtypeMismatches: mismatch.dtypeMismatches)
    guard (options.strict ? mismatch : tolerated).isEmpty else {
      throw .mismatch(path: path, mismatch)
    }

    var momentum: [String: Tensor] = [:]
    for (_, tensor, target) in matched {
      switch target {
      case .float32(let destination): tensor.copyFloat32(into: destination.pointer)
      case .counter(let counter): counter.value = tensor.int64Values![0]
      case .momentum(let parameterName, let shape):
        let buffer = Tensor(zeros: shape)
        tensor.copyFloat32(into: buffer.pointer)
        momentum[parameterName] = buffer
      }
    }
    if let optimizer, !momentum.isEmpty {
      do { try optimizer.restoreMomentumBuffers(momentum) } catch {
        throw .optimizerState(path: path, error)
      }
    }
    return CheckpointLoadResult(metadata: file.metadata, missingKeys: mismatch.missingKeys,
                                unexpectedKeys: mismatch.unexpectedKeys)
  }

  /// Where a file tensor goes, with the dtype and shape it must have.
  private enum Target {
    case float32(Tensor)
    case counter(Counter)
    case momentum(parameterName: String, shape: [Int])

    var dtype: SafetensorsDType {
      if case .counter = self { return .I64 }
      return .F32
    }

    var shape: [Int] {
      switch self {
      case .float32(let t): t.shape
      case .counter: []  // PyTorch's num_batches_tracked is a 0-d tensor
      case .momentum(_, let shape): shape
      }
    }
  }

  /// The model's named state, refusing names that would make a checkpoint ambiguous.
  private static func modelEntries(_ model: any Layer) throws(CheckpointError) -> [(name: String, entry: StateEntry)] {
    let entries = model.namedState()
    var seen = Set<String>()
    for (name, _) in entries {
      guard seen.insert(name).inserted, !name.hasPrefix(optimizerPrefix) else {
        throw .conflictingName(name)
      }
    }
    return entries
  }
}

/// How strictly `Checkpoint.load` matches the file to the model.
public struct CheckpointLoadOptions: Sendable {
  /// Missing and unexpected keys are errors, as PyTorch's `load_state_dict(strict=True)`. Shape and
  /// dtype mismatches are errors either way.
  public var strict: Bool
  /// Skips every `optimizer.` entry: neither restored nor reported as unexpected (evaluating or
  /// fine-tuning from a training checkpoint).
  public var ignoreOptimizerState: Bool

  /// Strict, restoring optimiser state, by default.
  public init(strict: Bool = true, ignoreOptimizerState: Bool = false) {
    self.strict = strict
    self.ignoreOptimizerState = ignoreOptimizerState
  }
}

/// What a successful load found besides the tensors.
public struct CheckpointLoadResult: Equatable, Sendable {
  /// The file's metadata map, as the caller saved it.
  public var metadata: [String: String]
  /// Keys the model expected but the file lacks (non-empty only when not strict).
  public var missingKeys: [String]
  /// Keys in the file the model has no place for (non-empty only when not strict).
  public var unexpectedKeys: [String]

  /// A load outcome (tests build the expected value with this).
  public init(metadata: [String: String], missingKeys: [String] = [], unexpectedKeys: [String] = []) {
    self.metadata = metadata
    self.missingKeys = missingKeys
    self.unexpectedKeys = unexpectedKeys
  }
}
