import ArgumentParser
import Foundation
import Pipeline

/// The options every pipeline command shares: which manifest, profile, overrides and store.
struct PipelineOptions: ParsableArguments {
  @Argument(help: "A manifest file, or its name under manifests/ (table5 → manifests/table5.yaml).")
  var manifest: String

  @Option(help: "Profile to use: paper, quick, smoke, … (default: the manifest's default_profile, else paper).")
  var profile: String?

  @Option(name: .customLong("set"), help: ArgumentHelp("Override a training setting, typed against the schema: --set schedule.epochs=3 (repeatable).", valueName: "key=value"))
  var assignments: [String] = []

  @Option(help: "Store directory (default: $MFD_STORE, else .mfd/ in the repository root).")
  var store: String?

  @Option(help: "Steps run at once; the threads are divided among them.")
  var jobs: Int = 1

  @Option(help: "Threads of the machine to use in total (default: all cores).")
  var threads: Int = ProcessInfo.processInfo.activeProcessorCount

  @Flag(help: "After a failure, keep running every step that does not depend on it.")
  var keepGoing = false

  func validate() throws {
    guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1, got \(jobs)") }
    guard threads >= 1 else { throw ValidationError("--threads must be at least 1, got \(threads)") }
  }

  var repositoryRoot: URL { Self.findRepositoryRoot() }

  /// The directory holding `manifests/`: the first ancestor of the working directory with a
  /// `manifests` folder or a `.git`, else the working directory.
  static func findRepositoryRoot() -> URL {
    let workingDirectory = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    var directory = workingDirectory
    while true {
      for marker in ["manifests", ".git"] where FileManager.default.fileExists(atPath: directory.appendingPathComponent(marker).path) {
        return directory
      }
      let parent = directory.deletingLastPathComponent()
      if parent.path == directory.path { return workingDirectory }
      directory = parent
    }
  }

  var storeLayout: StoreLayout { StoreLayout.resolve(option: store, repositoryRoot: repositoryRoot) }

  var manifestPath: String { Sweep.manifestPath(for: manifest, repositoryRoot: repositoryRoot) }

  /// The sweep, or a validation error carrying the manifest error's file:line:column message.
  func loadSweep() throws -> Sweep {
    guard FileManager.default.fileExists(atPath: manifestPath) else {
      let directory = repositoryRoot.appendingPathComponent("manifests")
      let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
        .filter { $0.hasSuffix(".yaml") && $0 != "profiles.yaml" }.map { String($0.dropLast(5)) }.sorted()
      throw PipelineCommandError("no manifest '\(manifest)': give a path or a name under \(directory.path)/ ("
        + (names.isEmpty ? "none there" : names.joined(separator: ", ")) + ")")
    }
    do throws(ManifestError) {
      return try Sweep.load(manifestPath: manifestPath, profile: profile, assignments: assignments,
                            vocabulary: ProjectVocabulary.manifestVocabulary)
    } catch {
      throw PipelineCommandError(error.description)
    }
  }

  func planner(registry: StepRunnerRegistry? = nil) -> Planner {
    let registry = registry ?? StepRunnerCatalog.registry(repository: repositoryRoot)
    return Planner(store: ArtifactStore(layout: storeLayout), registry: registry, costModel: ProjectVocabulary.costModel,
            jobs: jobs, totalThreads: threads)
  }
}

/// A command failed for a reason the message explains; printed without a stack or type name.
struct PipelineCommandError: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}
