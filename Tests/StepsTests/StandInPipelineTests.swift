import Datasets
import Foundation
import Models
import Pipeline
import Steps
import TestSupport
import Testing

/// Table V's four datasets as generated stand-ins (the smoke profile's `data.source: stand_in`)
/// through the real steps: generated archives and folders → fetch verification → extraction and
/// decoding → training → evaluation → a table that says the data was not real.
@Suite(.serialized) struct StandInPipelineTests {
  @Test func table5DatasetsAsStandInsRunEndToEndWithoutTheNetwork() throws {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("mfd-stand-in-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: root) }
    try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    let datasets = ["cifar10", "cifar100", "tiny_imagenet", "facescrub"]
    let manifestPath = root.appendingPathComponent("tiny.yaml").path
    try TinyFashionMNISTGrid.manifest(epochs: 1, milestones: [], seeds: [0], trainSubset: 32, testSubset: 32,
                                      models: ["mobilenet_v2_cifar"], datasets: datasets, source: "stand_in")
      .write(toFile: manifestPath, atomically: true, encoding: .utf8)
    let vocabulary = ManifestVocabulary(models: Architecture.allCases.map(\.rawValue), datasets: Catalogue.all.map(\.name))
    let sweep = try Sweep.load(manifestPath: manifestPath, profile: nil, vocabulary: vocabulary)
    let dataRoot = root.appendingPathComponent("data")
    let registry = StepRunnerRegistry.complete(StepEnvironment(dataRoot: dataRoot))
    let store = ArtifactStore(layout: StoreLayout(root: root.appendingPathComponent("store")), syncsToDisk: false)
    let planner = Planner(store: store, registry: registry, costModel: nil, jobs: 1, totalThreads: 2)

    let summary = try LocalExecutor(store: store, registry: registry, options: ExecutionOptions(jobs: 1, totalThreads: 2))
      .execute(planner.plan(sweep.graph))
    #expect(summary.succeeded, "\(summary.failures)")
    #expect(planner.plan(sweep.graph).toRun.isEmpty)

    // Everything generated lives under the stand-in root; nothing claims to be a real download.
    let entries = try FileManager.default.contentsOfDirectory(atPath: dataRoot.path)
    #expect(entries == [StandInDataset.folderName])
    let done = planner.plan(sweep.graph)
    for dataset in datasets {
      let preprocess = try #require(done.entries.first { $0.step.id == GridExpansion.preprocessID(dataset) })
      let test = try SplitCache.load(store.layout.outputsDirectory(preprocess.key!).appendingPathComponent("test.mfdsplit"))
      #expect(test.images.count > 0 && test.images.classNames.count == Catalogue.all.first { $0.name == dataset }!.classCount)
    }
    let markdown = try TableReport(manifest: sweep.manifest, profile: sweep.profile, plan: done, store: store).markdown
    #expect(markdown.contains("DATA: generated stand-in images"))
  }
}
