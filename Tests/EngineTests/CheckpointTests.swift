import Engine
import Foundation
import Kernels
import Testing

@Suite struct CheckpointTests {
  @Test func checkpointRoundTripRestoresStateMomentumAndMetadata() throws {
    let (model, sgd) = trainedNet(seed: 1, steps: 2)
    let directory = try TemporaryDirectory()
    let url = directory.url.appendingPathComponent("ckpt.safetensors")
    let metadata = ["epoch": "2", "note": "round trip é ∂"]
    try Checkpoint.save(model, optimizer: sgd, metadata: metadata, to: url)

    let restored = TinyNet()
    restored.initialise(seed: 99)
    let restoredSGD = SGD(parameters: restored.namedParameters(), learningRate: 0.1)
    let result = try Checkpoint.load(from: url, into: restored, optimizer: restoredSGD)

    #expect(result == CheckpointLoadResult(metadata: metadata, missingKeys: [], unexpectedKeys: []))
    #expect(stateSnapshot(restored) == stateSnapshot(model))
    #expect(restored.stem.batches.value == 2 && restored.head.layers[0].batches.value == 2)
    #expect(restoredSGD.namedMomentumBuffers.map(\.name) == sgd.namedMomentumBuffers.map(\.name))
    for (a, b) in zip(restoredSGD.namedMomentumBuffers, sgd.namedMomentumBuffers) {
      #expect(a.buffer.values == b.buffer.values, "momentum of \(a.name)")
    }
  }

  /// Save after two steps with the RNG state in the metadata; a differently initialised model and
  /// a fresh SGD that load it take a third step bit-identical to the uninterrupted run.
  @Test func resumedTrainingMatchesUninterruptedRun() throws {
    let model = TinyNet()
    model.initialise(seed: 1)
    let sgd = SGD(parameters: model.namedParameters(), learningRate: 0.1, momentum: 0.9)
    var data = SeededGenerator(seed: 7)
    for _ in 0..<2 { trainStep(model, sgd, &data) }
    let file = try Checkpoint.contents(
      of: model, optimizer: sgd,
      metadata: ["epoch": "2", "rng": String(decoding: try JSONEncoder().encode(data), as: UTF8.self)])
    trainStep(model, sgd, &data)

    func resume(options: CheckpointLoadOptions) throws -> TinyNet {
      let resumed = TinyNet()
      resumed.initialise(seed: 42)
      let resumedSGD = SGD(parameters: resumed.namedParameters(), learningRate: 0.1, momentum: 0.9)
      let result = try Checkpoint.restore(file, path: "memory", into: resumed, optimizer: resumedSGD,
                                          options: options)
      var resumedData = try JSONDecoder().decode(SeededGenerator.self, from: Data(result.metadata["rng"]!.utf8))
      trainStep(resumed, resumedSGD, &resumedData)
      return resumed
    }
    #expect(stateSnapshot(try resume(options: .init())) == stateSnapshot(model))
    // Without the momentum buffers the third step is a first step: different weights.
    #expect(stateSnapshot(try resume(options: .init(ignoreOptimizerState: true))) != stateSnapshot(model))
  }

  @Test func strictLoadListsEveryMissingUnexpectedAndMismatchedTensor() throws {
    let model = TinyNet()
    model.initialise(seed: 3)
    var file = try Checkpoint.contents(of: model)
    file.tensors["stem.bias"] = nil
    file.tensors["head.0.running_mean"] = nil
    file.tensors["extra.weight"] = SafetensorsTensor(shape: [1], float32: [1])
    file.tensors["head.0.weight"] = SafetensorsTensor(shape: [2, 5], float32: Array(repeating: 0, count: 10))
    file.tensors["stem.weight"] = SafetensorsTensor(dtype: .F64, shape: [4, 3], bytes: Data(count: 96))
    file.tensors["stem.num_batches_tracked"] = SafetensorsTensor(shape: [1], int64: [5])
    let before = stateSnapshot(model)

    let expected = CheckpointMismatch(
      missingKeys: ["head.0.running_mean", "stem.bias"],
      unexpectedKeys: ["extra.weight"],
      shapeMismatches: [.init(name: "head.0.weight", fileShape: [2, 5], modelShape: [2, 4]),
                        .init(name: "stem.num_batches_tracked", fileShape: [1], modelShape: [])],
      dtypeMismatches: [.init(name: "stem.weight", fileDType: .F64, modelDType: .F32)])
    let error = #expect(throws: CheckpointError.self) {
      try Checkpoint.restore(file, path: "bad.safetensors", into: model)
    }
    #expect(error == .mismatch(path: "bad.safetensors", expected))
    let message = error?.description ?? ""
    for fragment in ["bad.safetensors", "missing keys (2): head.0.running_mean, stem.bias",
                     "unexpected keys (1): extra.weight", "head.0.weight: [2, 5] in the file, [2, 4] in the model",
                     "stem.weight: F64 in the file, F32 in the model"] {
      #expect(message.contains(fragment), "\(message)")
    }
    #expect(stateSnapshot(model) == before, "a failed load must not modify the model")
  }

  @Test func nonStrictLoadToleratesMissingAndUnexpectedButNotShapes() throws {
    let source = TinyNet()
    source.initialise(seed: 4)
    var file = try Checkpoint.contents(of: source)
    file.tensors["stem.bias"] = nil
    file.tensors["extra.weight"] = SafetensorsTensor(shape: [1], float32: [1])
    let model = TinyNet()
    model.initialise(seed: 5)
    let keptBias = model.stem.bias.value.values

    let result = try Checkpoint.restore(file, path: "p", into: model, options: .init(strict: false))
    #expect(result.missingKeys == ["stem.bias"] && result.unexpectedKeys == ["extra.weight"])
    #expect(model.stem.bias.value.values == keptBias)
    #expect(model.stem.weight.value.values == source.stem.weight.value.values)

    file.tensors["stem.weight"] = SafetensorsTensor(shape: [3, 4], float32: Array(repeating: 0, count: 12))
    #expect(throws: CheckpointError.mismatch(path: "p", CheckpointMismatch(
      missingKeys: ["stem.bias"], unexpectedKeys: ["extra.weight"],
      shapeMismatches: [.init(name: "stem.weight", fileShape: [3, 4], modelShape: [4, 3])]))) {
      try Checkpoint.restore(file, path: "p", into: model, options: .init(strict: false))
    }
  }

  @Test func optimizerEntriesAreCheckedOrIgnoredOnRequest() throws {
    let (model, sgd) = trainedNet(seed: 6, steps: 1)
    let file = try Checkpoint.contents(of: model, optimizer: sgd)
    let momentumNames = model.namedParameters().map { Checkpoint.momentumBufferPrefix + $0.name }.sorted()
    #expect(momentumNames.allSatisfy { file.tensors[$0] != nil })

    // No optimiser to receive them: unexpected unless ignored.
    #expect(throws: CheckpointError.mismatch(path: "p", CheckpointMismatch(unexpectedKeys: momentumNames))) {
      try Checkpoint.restore(file, path: "p", into: TinyNet())
    }
    try Checkpoint.restore(file, path: "p", into: TinyNet(), options: .init(ignoreOptimizerState: true))

    // Momentum is all or nothing once present, and must fit its parameter.
    var partial = file
    partial.tensors[Checkpoint.momentumBufferPrefix + "stem.bias"] = nil
    partial.tensors[Checkpoint.momentumBufferPrefix + "head.0.bias"] = SafetensorsTensor(shape: [3], float32: [1, 2, 3])
    let fresh = TinyNet()
    #expect(throws: CheckpointError.mismatch(path: "p", CheckpointMismatch(
      missingKeys: [Checkpoint.momentumBufferPrefix + "stem.bias"],
      shapeMismatches: [.init(name: Checkpoint.momentumBufferPrefix + "head.0.bias", fileShape: [3], modelShape: [2])]))) {
      try Checkpoint.restore(partial, path: "p", into: fresh,
                             optimizer: SGD(parameters: fresh.namedParameters(), learningRate: 0.1))
    }
    // A checkpoint from before the first step has no momentum at all: fine.
    let untrained = try Checkpoint.contents(of: model, optimizer: SGD(parameters: model.namedParameters(), learningRate: 0.1))
    let freshSGD = SGD(parameters: fresh.namedParameters(), learningRate: 0.1)
    try Checkpoint.restore(untrained, path: "p", into: fresh, optimizer: freshSGD)
    #expect(freshSGD.namedMomentumBuffers.isEmpty)
  }

  @Test func ambiguousModelNamesAreRefused() {
    let duplicated = TinySequential([TinyAffine(inputs: 2, outputs: 2), TinyAffine(inputs: 2, outputs: 2)],
                                    names: ["a", "a"])
    #expect(throws: CheckpointError.conflictingName("a.weight")) { try Checkpoint.contents(of: duplicated) }
    let reserved = TinySequential([TinyAffine(inputs: 2, outputs: 2)], names: ["optimizer"])
    #expect(throws: CheckpointError.conflictingName("optimizer.weight")) { try Checkpoint.contents(of: reserved) }
  }

  @Test func loadingAMissingOrCorruptFileNamesIt() throws {
    let directory = try TemporaryDirectory()
    let url = directory.url.appendingPathComponent("absent.safetensors")
    let error = #expect(throws: CheckpointError.self) { try Checkpoint.load(from: url, into: TinyNet()) }
    guard case .file(.unreadable(let path, _)) = error else {
      Issue.record("expected an unreadable-file error, got \(String(describing: error))")
      return
    }
    #expect(path == url.path && error!.description.contains(url.path))
  }
}

// MARK: - Helpers

/// Every state entry's values by name (counters as one Float), for bit-exact comparisons.
func stateSnapshot(_ model: any Layer) -> [String: [Float]] {
  var result: [String: [Float]] = [:]
  for (name, entry) in model.namedState() {
    switch entry {
    case .parameter(let p): result[name] = p.value.values
    case .buffer(let t): result[name] = t.values
    case .counter(let c): result[name] = [Float(c.value)]
    }
  }
  return result
}

/// One step of SGD on ½‖model(x)‖² for a batch drawn from `data`.
func trainStep(_ model: TinyNet, _ sgd: SGD, _ data: inout SeededGenerator) {
  let x = Tensor(zeros: [5, 3])
  for i in 0..<x.count { x[i] = data.nextFloat(in: -1, 1) }
  let y = model.forward(x, mode: .train)
  sgd.zeroGradients()
  _ = model.backward(y.copy())
  sgd.step()
}

/// A TinyNet initialised from `seed` and trained for `steps` steps (so it has momentum buffers).
func trainedNet(seed: UInt64, steps: Int) -> (TinyNet, SGD) {
  let model = TinyNet()
  model.initialise(seed: seed)
  let sgd = SGD(parameters: model.namedParameters(), learningRate: 0.1, momentum: 0.9)
  var data = SeededGenerator(seed: seed &+ 1000)
  for _ in 0..<steps { trainStep(model, sgd, &data) }
  return (model, sgd)
}

/// A fresh directory under the system temporary directory, removed when the value is released.
final class TemporaryDirectory {
  let url: URL
  init() throws {
    url = FileManager.default.temporaryDirectory.appendingPathComponent("mfd-ckpt-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  }
  deinit { try? FileManager.default.removeItem(at: url) }
}

// MARK: - Test-only layers (the real Conv2d/BatchNorm2d live elsewhere)

/// y = x·Wᵀ + b, with a running mean of y and a batch counter updated in training, so that its
/// state holds parameters, a float buffer and a counter under PyTorch's names.
final class TinyAffine: Layer {
  let inputs: Int
  let outputs: Int
  let weight: Parameter
  let bias: Parameter
  let runningMean: Tensor
  let batches = Counter()
  private var input: Tensor?
  private var output: Tensor?
  private var gradInput: Tensor?

  init(inputs: Int, outputs: Int) {
    (self.inputs, self.outputs) = (inputs, outputs)
    weight = Parameter(zeros: [outputs, inputs])
    bias = Parameter(zeros: [outputs])
    runningMean = Tensor(zeros: [outputs])
  }

  func outputShape(for inputShape: [Int]) throws(ShapeError) -> [Int] {
    guard inputShape.count == 2, inputShape[1] == inputs else {
      throw ShapeError(layer: "TinyAffine", expected: "[n, \(inputs)]", actual: inputShape)
    }
    return [inputShape[0], outputs]
  }

  /// - input: [n, inputs] → [n, outputs]
  func forward(_ x: Tensor, mode: Mode) -> Tensor {
    let n = x.shape[0]
    let y = Tensor.reusing(output, shape: [n, outputs])
    for s in 0..<n {
      for o in 0..<outputs {
        var sum = bias.value[o]
        for i in 0..<inputs { sum += x[s * inputs + i] * weight.value[o * inputs + i] }
        y[s * outputs + o] = sum
      }
    }
    if mode == .train {
      for o in 0..<outputs {
        var mean: Float = 0
        for s in 0..<n { mean += y[s * outputs + o] }
        runningMean[o] = 0.9 * runningMean[o] + 0.1 * mean / Float(n)
      }
      batches.value += 1
    }
    (input, output) = (x, y)
    return y
  }

  /// - gradOutput: [n, outputs] → [n, inputs]
  func backward(_ g: Tensor) -> Tensor {
    let x = input!
    let n = x.shape[0]
    let dx = Tensor.reusing(gradInput, shape: x.shape)
    dx.fill(0)
    for s in 0..<n {
      for o in 0..<outputs {
        let go = g[s * outputs + o]
        bias.grad[o] += go
        for i in 0..<inputs {
          weight.grad[o * inputs + i] += go * x[s * inputs + i]
          dx[s * inputs + i] += go * weight.value[o * inputs + i]
        }
      }
    }
    gradInput = dx
    return dx
  }

  func localState() -> [(name: String, entry: StateEntry)] {
    [("weight", .parameter(weight)), ("bias", .parameter(bias)),
     ("running_mean", .buffer(runningMean)), ("num_batches_tracked", .counter(batches))]
  }

  func resetParameters(using generator: inout SeededGenerator) {
    let bound = 1 / Float(inputs).squareRoot()
    for i in 0..<weight.value.count { weight.value[i] = generator.nextFloat(in: -bound, bound) }
    for i in 0..<bias.value.count { bias.value[i] = generator.nextFloat(in: -bound, bound) }
  }
}

/// Children in order under the given names ("0", "1", ... by default, as `nn.Sequential`).
final class TinySequential: Layer {
  let layers: [TinyAffine]
  let names: [String]

  init(_ layers: [TinyAffine], names: [String]? = nil) {
    self.layers = layers
    self.names = names ?? layers.indices.map(String.init)
  }

  var children: [(name: String, layer: any Layer)] { zip(names, layers).map { ($0, $1) } }

  func outputShape(for inputShape: [Int]) throws(ShapeError) -> [Int] {
    var shape = inputShape
    for (name, layer) in zip(names, layers) {
      do throws(ShapeError) { shape = try layer.outputShape(for: shape) } catch { throw error.at(name) }
    }
    return shape
  }

  func forward(_ input: Tensor, mode: Mode) -> Tensor {
    layers.reduce(input) { $1.forward($0, mode: mode) }
  }

  func backward(_ gradOutput: Tensor) -> Tensor {
    layers.reversed().reduce(gradOutput) { $1.backward($0) }
  }
}

/// `stem` then `head.0`: dotted names two levels deep, as the PyTorch fixture's `TinyNet`.
final class TinyNet: Layer {
  let stem = TinyAffine(inputs: 3, outputs: 4)
  let head = TinySequential([TinyAffine(inputs: 4, outputs: 2)])

  var children: [(name: String, layer: any Layer)] { [("stem", stem), ("head", head)] }

  func outputShape(for inputShape: [Int]) throws(ShapeError) -> [Int] {
    try head.outputShape(for: try stem.outputShape(for: inputShape))
  }

  func forward(_ input: Tensor, mode: Mode) -> Tensor {
    head.forward(stem.forward(input, mode: mode), mode: mode)
  }

  func backward(_ gradOutput: Tensor) -> Tensor { stem.backward(head.backward(gradOutput)) }
}
