import Datasets
import Figures
import Foundation
import Models
import Pipeline
import Plots
import Steps
import TestSupport
import Testing

/// Figures as steps of a sweep: a tiny grid on stand-in CIFAR-10 with both figure kinds, run by
/// the local executor with the real runners, stored like any artifact and copied next to the table.
@Suite(.serialized) struct FigureStepTests {
  static let manifest = TinyFashionMNISTGrid.manifest(
    epochs: 2, milestones: [], seeds: [0, 1], trainSubset: 32, testSubset: 16, models: ["mobilenet_v2_cifar"],
    datasets: ["cifar10"], source: "stand_in") + """
    figures:
      - {id: curves, kind: accuracy_curves, model: mobilenet_v2_cifar, dataset: cifar10, losses: [softmax, mfd1]}
      - {id: maps, kind: feature_maps, model: mobilenet_v2_cifar, dataset: cifar10, losses: [softmax, mfd1], stage: 1, channels: 16}

    """

  @Test func figuresAreDrawnStoredAndCopiedNextToTheTable() throws {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("mfd-figures-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: root) }
    try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    let manifestPath = root.appendingPathComponent("tiny.yaml").path
    try Self.manifest.write(toFile: manifestPath, atomically: true, encoding: .utf8)
    let vocabulary = ManifestVocabulary(models: Architecture.allCases.map(\.rawValue), datasets: Catalogue.all.map(\.name))
    let sweep = try Sweep.load(manifestPath: manifestPath, profile: nil, vocabulary: vocabulary)
    var registry = StepRunnerRegistry.complete(StepEnvironment(dataRoot: root.appendingPathComponent("data")))
    registry.register(FigureStepRunner(), for: .figure)
    let store = ArtifactStore(layout: StoreLayout(root: root.appendingPathComponent("store")), syncsToDisk: false)
    let planner = Planner(store: store, registry: registry, costModel: nil, jobs: 1, totalThreads: 2)
    let summary = try LocalExecutor(store: store, registry: registry, options: ExecutionOptions(jobs: 1, totalThreads: 2))
      .execute(planner.plan(sweep.graph))
    #expect(summary.succeeded, "\(summary.failures)")

    let plan = planner.plan(sweep.graph)
    #expect(plan.toRun.isEmpty)
    let results = root.appendingPathComponent("results")
    let files = try FigureFiles.write(manifest: sweep.manifest, profile: sweep.profile, plan: plan, store: store, to: results)
    #expect(files.map(\.lastPathComponent).sorted() == ["curves.png", "curves.svg", "maps.png"])
    for file in files where file.pathExtension == "png" {
      let canvas = try PNGDecoder.decode([UInt8](try Data(contentsOf: file)))
      #expect(canvas.width > 200 && canvas.height > 100)
    }
    let markdown = try TableReport(manifest: sweep.manifest, profile: sweep.profile, plan: plan, store: store).markdown
    #expect(markdown.contains("(curves.png)") && markdown.contains("(maps.png)"))
  }
}
