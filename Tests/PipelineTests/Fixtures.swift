import Foundation
@testable import Pipeline

/// Small manifests for tests: a 2 × 1 × 2 grid with 2 seeds by default, and the shared profiles.
enum Fixtures {
  static let profiles = """
    profiles:
      paper:
        optimizer: {name: sgd, lr: 0.1, momentum: 0.9, weight_decay: 0.0005}
        schedule: {epochs: 100, milestones: [30, 60, 90], gamma: 0.1}
        data:
          source: published
          batch_size: 128
          train_subset: null
          test_subset: null
          augmentation: {pad_crop: 4, flip: true}
        model: {width_multiplier: 1.0}
        seeds: [0, 1, 2]
      smoke:
        extends: paper
        note: "Tiny."
        schedule: {epochs: 1, milestones: []}
        data: {train_subset: 64, test_subset: 32}
        model: {width_multiplier: 0.125}
        seeds: [0, 1]

    """

  static func manifest(published: Bool = true, datasets: String = "[toyset]") -> String {
    var text = """
      table:
        id: toy
        title: "Toy table"
      profiles_file: profiles.yaml
      grid:
        model: [net_a, net_b]
        dataset: \(datasets)
        loss:
          - {base: softmax, label: Softmax}
          - {base: softmax, lambda: 1, placement: stages, label: "Softmax + MFD"}
      report:
        rows: [model, dataset]
        columns: [loss]
        metric: top1_accuracy
        decimals: 2

      """
    if published {
      text += """
        published:
          tolerance: 1.0
          values:
            - {model: net_a, dataset: toyset, loss: softmax, value: 90.5}
            - {model: net_a, dataset: toyset, loss: mfd1, value: 91.5}
            - {model: net_b, dataset: toyset, loss: softmax, value: 95.0}
            - {model: net_b, dataset: toyset, loss: mfd1, value: 91.5, tolerance: 0.1}

        """
    }
    return text
  }

  /// A directory with `profiles.yaml` and `toy.yaml`; returns the manifest.
  static func load(_ directory: TemporaryDirectory, text: String = manifest()) throws -> Manifest {
    _ = directory.write(profiles, to: "profiles.yaml")
    let path = directory.write(text, to: "toy.yaml")
    return try ManifestLoader.load(path: path)
  }

  /// A sweep of the toy manifest at `profile`, with `--set` assignments.
  static func sweep(_ directory: TemporaryDirectory, profile: String = "smoke", set: [String] = [],
                    text: String = manifest()) throws -> Sweep {
    let manifest = try load(directory, text: text)
    return Sweep(manifest: manifest, profile: try manifest.resolveProfile(profile, overrides: SettingOverride.layer(from: set)))
  }
}

/// A store in its own temporary directory with a fake runner, a planner and an executor factory.
struct TestBench {
  let directory = TemporaryDirectory()
  let runner: FakeStepRunner
  let store: ArtifactStore

  init(runner: FakeStepRunner = FakeStepRunner()) {
    self.runner = runner
    // No fsync: these tests check bookkeeping, not power-loss durability, and must stay fast on a busy disk.
    store = ArtifactStore(layout: StoreLayout(root: directory.url.appendingPathComponent("store")), syncsToDisk: false)
  }

  var registry: StepRunnerRegistry { .fake(runner) }

  func plan(_ sweep: Sweep, registry: StepRunnerRegistry? = nil, depth: VerificationDepth = .sizes) -> Plan {
    Planner(store: store, registry: registry ?? self.registry, costModel: nil, jobs: 1, totalThreads: 2).plan(sweep.graph, depth: depth)
  }

  @discardableResult
  func run(_ sweep: Sweep, options: ExecutionOptions = ExecutionOptions(jobs: 1, totalThreads: 2),
           cancellation: CancellationToken = CancellationToken()) throws -> ExecutionSummary {
    try LocalExecutor(store: store, registry: registry, options: options, cancellation: cancellation).execute(plan(sweep))
  }
}
