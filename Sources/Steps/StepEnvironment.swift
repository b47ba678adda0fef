import Datasets
import Foundation
import Pipeline

/// Where the concrete steps find what lies outside the store: the datasets' download and
/// decode cache (shared with `mfd data`), and the mirror that replaces canonical sources.
public struct StepEnvironment: Sendable {
  /// `mfd data --root`: downloads and split caches are kept here across sweeps, and linked into
  /// the store as step outputs.
  public var dataRoot: URL
  public var mirror: Mirror?

  public init(dataRoot: URL, mirror: Mirror? = nil) {
    self.dataRoot = dataRoot
    self.mirror = mirror
  }

  /// `MFD_DATA_ROOT` (default `<repository>/data`) and `MFD_DATA_MIRROR`.
  public static func fromEnvironment(repository: URL) -> StepEnvironment {
    let variables = ProcessInfo.processInfo.environment
    let root = variables["MFD_DATA_ROOT"].map { URL(fileURLWithPath: $0) }
      ?? repository.appendingPathComponent("data")
    return StepEnvironment(dataRoot: root, mirror: variables["MFD_DATA_MIRROR"].map(Mirror.init))
  }
}

extension StepEnvironment {
  /// The dataset a fetch or preprocess step works on, and the data root it lives in: the
  /// catalogue's under `dataRoot`, or with `source: stand_in` its generated look-alike under
  /// `<dataRoot>/stand-in`. Fetch generates it (the same bytes every time); preprocess only
  /// describes it, accepting exactly the file the fetch step stored.
  func dataset(for context: StepContext) throws -> (DatasetDescriptor, URL) {
    let descriptor = try Catalogue.descriptor(named: context.string("dataset"))
    guard let source = context.config[path: "source"] else { return (descriptor, dataRoot) }
    guard source.stringValue == DataSource.standIn.rawValue else {
      throw StepConfigError(step: context.step.id.description, field: "source", expected: "absent or \"stand_in\"")
    }
    let root = StandInDataset.root(dataRoot: dataRoot)
    guard context.step.id.kind != .fetch else { return (try StandInDataset.materialise(descriptor, root: root), root) }
    let fetched = try descriptor.files.first.map { file in
      try Digest(ofFileAt: context.input(.fetch).appendingPathComponent(file.name))
    }
    return (try StandInDataset.descriptor(for: descriptor, accepting: fetched), root)
  }
}

extension StepRunnerRegistry {
  /// Every step kind of the paper's pipeline: fetch, preprocess, train, evaluate and the
  /// pipeline's own aggregate.
  public static func complete(_ environment: StepEnvironment) -> StepRunnerRegistry {
    var registry = StepRunnerRegistry.builtIn
    registry.register(FetchStepRunner(environment: environment), for: .fetch)
    registry.register(PreprocessStepRunner(environment: environment), for: .preprocess)
    registry.register(TrainStepRunner(), for: .train)
    registry.register(EvaluateStepRunner(), for: .evaluate)
    return registry
  }
}

/// A step configuration lacking a field this runner needs (a manifest/runner version mismatch).
public struct StepConfigError: Error, Sendable, CustomStringConvertible {
  public let step: String
  public let field: String
  public let expected: String
  public var description: String { "\(step): configuration field '\(field)' is missing or not \(expected)" }
}

extension StepContext {
  func string(_ path: String) throws -> String {
    guard let value = config[path: path]?.stringValue else { throw StepConfigError(step: step.id.description, field: path, expected: "a string") }
    return value
  }

  func int(_ path: String) throws -> Int {
    guard let value = config[path: path]?.intValue else { throw StepConfigError(step: step.id.description, field: path, expected: "an integer") }
    return value
  }

  func double(_ path: String) throws -> Double {
    guard let value = config[path: path]?.doubleValue else { throw StepConfigError(step: step.id.description, field: path, expected: "a number") }
    return value
  }

  /// nil when the field is null or absent.
  func optionalInt(_ path: String) -> Int? { config[path: path]?.intValue }

  /// The output directory of this step's input of `kind`.
  func input(_ kind: StepKind) throws -> URL {
    guard let directory = inputDirectories.first(where: { $0.id.kind == kind })?.directory else {
      throw StepConfigError(step: step.id.description, field: "inputs", expected: "containing a \(kind.rawValue) step")
    }
    return directory
  }
}

/// Puts `file` into `directory` under its own name: a hard link when both are on one file
/// system (datasets are large and immutable once verified), a copy otherwise.
func placeOutput(_ file: URL, in directory: URL) throws {
  let target = directory.appendingPathComponent(file.lastPathComponent)
  try? FileManager.default.removeItem(at: target)
  do { try FileManager.default.linkItem(at: file, to: target) } catch {
    try FileManager.default.copyItem(at: file, to: target)
  }
}
