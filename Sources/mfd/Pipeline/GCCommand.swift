import ArgumentParser
import Foundation
import Pipeline

struct GCCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "gc",
    abstract: "Remove stored steps and abandoned attempts that no manifest references.",
    discussion: """
      Roots: every step of the given manifests (default: all manifests under manifests/) at every \
      profile they define. Takes the store lock, so it never races a runner.
      """)

  @Argument(help: "Manifests whose steps to keep (default: every manifest under manifests/).")
  var manifests: [String] = []

  @Option(help: "Store directory (default: $MFD_STORE, else .mfd/ in the repository root).")
  var store: String?

  @Flag(help: "Only list what would be removed.")
  var dryRun = false

  func run() throws {
    let root = PipelineOptions.findRepositoryRoot()
    let layout = StoreLayout.resolve(option: store, repositoryRoot: root)
    var paths = manifests.map { Sweep.manifestPath(for: $0, repositoryRoot: root) }
    if paths.isEmpty {
      let directory = root.appendingPathComponent("manifests")
      let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
      paths = names.filter { $0.hasSuffix(".yaml") && $0 != "profiles.yaml" }.sorted().map { directory.appendingPathComponent($0).path }
    }
    guard !paths.isEmpty else { throw PipelineCommandError("no manifests to take roots from; name them explicitly") }
    let planner = Planner(store: ArtifactStore(layout: layout), registry: StepRunnerCatalog.registry(repository: root),
                          costModel: nil, jobs: 1, totalThreads: 1)
    var plans: [Plan] = []
    for path in paths {
      do throws(ManifestError) {
        let manifest = try ManifestLoader.load(path: path, vocabulary: ProjectVocabulary.manifestVocabulary)
        for name in manifest.profiles.names {
          plans.append(planner.plan(Sweep(manifest: manifest, profile: try manifest.resolveProfile(name)).graph))
        }
      } catch {
        throw PipelineCommandError("\(error.description) (gc keeps everything when a manifest cannot be read)")
      }
    }
    let lock: StoreLock
    do { lock = try StoreLock.acquire(layout, wait: false) } catch let error as StoreLock.HeldError { throw PipelineCommandError(error.description) }
    defer { lock.release() }
    let removals = try GarbageCollector.collect(ArtifactStore(layout: layout), keeping: GarbageCollector.referencedKeys(plans), dryRun: dryRun)
    for removal in removals {
      print("\(dryRun ? "would remove" : "removed") \(removal.isScratch ? "attempt" : "step") \(removal.key.short) "
        + "\(removal.id?.description ?? "") (\(removal.bytes) bytes)")
    }
    let bytes = removals.reduce(Int64(0)) { $0 + $1.bytes }
    print("\(dryRun ? "would free" : "freed") \(bytes) bytes in \(removals.count) item(s), roots from \(paths.count) manifest(s)")
  }
}
