import Datasets
import Engine
import Foundation
import Kernels
import Models
import Pipeline
import Steps
import TestSupport
import Testing

/// The whole pipeline with the real step runners on the real Fashion-MNIST (Debian's
/// `dataset-fashion-mnist`, which `make test` installs): fetch → preprocess → train → evaluate →
/// aggregate for a 2 × 2 grid of tiny networks, then a second plan that has nothing to do.
@Suite(.serialized) struct PipelineOnRealDataTests {
  static let manifest = TinyFashionMNISTGrid.manifest(epochs: 1, milestones: [], seeds: [0],
                                                      trainSubset: 64, testSubset: 32)

  @Test(.enabled(if: FileManager.default.fileExists(atPath: TinyFashionMNISTGrid.debianFolder)))
  func tinyGridRunsEndToEndAndThenHasNothingToDo() throws {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("mfd-e2e-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: root) }
    try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    let manifestPath = root.appendingPathComponent("tiny.yaml").path
    try Self.manifest.write(toFile: manifestPath, atomically: true, encoding: .utf8)
    let vocabulary = ManifestVocabulary(models: Architecture.allCases.map(\.rawValue),
                                        datasets: Catalogue.all.map(\.name))
    let sweep = try Sweep.load(manifestPath: manifestPath, profile: nil, vocabulary: vocabulary)
    let registry = StepRunnerRegistry.complete(StepEnvironment(dataRoot: root.appendingPathComponent("data")))
    let store = ArtifactStore(layout: StoreLayout(root: root.appendingPathComponent("store")), syncsToDisk: false)
    let planner = Planner(store: store, registry: registry, costModel: nil, jobs: 1, totalThreads: 2)

    let plan = planner.plan(sweep.graph)
    #expect(plan.toRun.count == 11)  // fetch, preprocess, 4 × (train, evaluate), aggregate
    let summary = try LocalExecutor(store: store, registry: registry,
                                    options: ExecutionOptions(jobs: 1, totalThreads: 2)).execute(plan)
    #expect(summary.succeeded, "\(summary.failures)")
    // The steps ran on the executor's share of the machine, OpenBLAS included (not its default).
    #expect(Threading.threadCount == 2)

    let done = planner.plan(sweep.graph)
    #expect(done.toRun.isEmpty)
    for entry in done.entries where entry.step.id.kind == .evaluate {
      let metrics = try Pipeline.EvaluationMetrics.read(from: store.layout.outputsDirectory(entry.key!))
      let accuracy = try #require(metrics["top1_accuracy"])
      #expect(accuracy >= 0 && accuracy <= 100)
      #expect(metrics["mean_abs_correlation_S4"] != nil && metrics["seconds_per_epoch"] != nil)
    }
    // The trained weights open as a network of the trained configuration (torchvision names).
    let train = try #require(done.entries.first { $0.step.id.description == "train@resnet50-fashion_mnist-mfd1-s0" })
    let weights = store.layout.outputsDirectory(train.key!).appendingPathComponent(TrainStepRunner.weightsFile)
    let network = try Network(ModelConfiguration(architecture: .resnet50, classes: 10, widthMultiplier: 0.125,
                                                 mfdPlacement: .stages, inputChannels: 1))
    try Checkpoint.load(from: weights, into: network)
  }
}
