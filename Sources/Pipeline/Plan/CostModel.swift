/// Estimates how long a step takes before it runs. The Steps module can supply a better one.
public protocol CostModel: Sendable {
  /// Estimated wall-clock seconds for `step` using `threads` of the machine's `totalThreads`,
  /// or nil when there is no basis for an estimate.
  func estimatedSeconds(for step: Step, threads: Int, totalThreads: Int) -> Double?
}

/// Size and one-off preparation cost of a dataset, for estimates.
public struct DatasetCost: Sendable, Equatable {
  public let trainImages: Int
  public let testImages: Int
  /// Image side in pixels (32 for CIFAR, 64 for Tiny ImageNet and FaceScrub).
  public let side: Int
  /// Seconds to fetch (0 when local) and to preprocess into the tensor cache.
  public let fetchSeconds: Double
  public let preprocessSeconds: Double

  public init(trainImages: Int, testImages: Int, side: Int, fetchSeconds: Double, preprocessSeconds: Double) {
    self.trainImages = trainImages
    self.testImages = testImages
    self.side = side
    self.fetchSeconds = fetchSeconds
    self.preprocessSeconds = preprocessSeconds
  }
}

/// FLOPs × images ÷ measured throughput.
///
/// Training one image costs ≈ 3 forward passes (forward, backward to inputs, backward to weights);
/// a forward pass is 2 FLOPs per MAC. Width w scales the MACs of a CNN by ≈ w² (every conv has w·C_in
/// inputs and w·C_out outputs). Threads share the machine linearly (good enough to rank plans).
public struct ThroughputCostModel: CostModel {
  /// Forward multiply-accumulates per image at width 1: (model, image side) → MACs, nil if unknown.
  public let forwardMACs: @Sendable (_ model: String, _ side: Int) -> Double?
  public let datasets: [String: DatasetCost]
  /// Sustained training throughput of the whole machine in GFLOP/s (measured with `mfd bench`).
  public let machineGFLOPS: Double

  public init(forwardMACs: @escaping @Sendable (_ model: String, _ side: Int) -> Double?,
              datasets: [String: DatasetCost], machineGFLOPS: Double) {
    self.forwardMACs = forwardMACs
    self.datasets = datasets
    self.machineGFLOPS = machineGFLOPS
  }

  public func estimatedSeconds(for step: Step, threads: Int, totalThreads: Int) -> Double? {
    let config = step.config
    guard let datasetName = config[path: "dataset"]?.stringValue, let dataset = datasets[datasetName] else {
      return step.id.kind == .aggregate || step.id.kind == .figure ? 1 : nil
    }
    let share = Double(max(1, threads)) / Double(max(1, totalThreads))
    let gflops = machineGFLOPS * share
    switch step.id.kind {
    // A stand-in is a few hundred generated images: about a second to write or to decode.
    case .fetch where config[path: "source"]?.stringValue == DataSource.standIn.rawValue: return 1
    case .preprocess where config[path: "source"]?.stringValue == DataSource.standIn.rawValue: return 1
    case .fetch: return dataset.fetchSeconds
    case .preprocess: return dataset.preprocessSeconds
    case .aggregate, .figure: return 1
    case .train:
      guard let macs = macs(config, dataset) else { return nil }
      let settings = config[path: "settings"]
      let images = min(settings?[path: "data.train_subset"]?.intValue ?? dataset.trainImages, dataset.trainImages)
      let epochs = settings?[path: "schedule.epochs"]?.intValue ?? 1
      return 3 * 2 * macs * Double(images * epochs) / (gflops * 1e9)
    case .evaluate:
      guard let macs = macs(config, dataset) else { return nil }
      let images = min(config[path: "test_subset"]?.intValue ?? dataset.testImages, dataset.testImages)
      return 2 * macs * Double(images) / (gflops * 1e9)
    }
  }

  private func macs(_ config: ConfigValue, _ dataset: DatasetCost) -> Double? {
    guard let model = config[path: "model"]?.stringValue, let macs = forwardMACs(model, dataset.side) else { return nil }
    let width = config[path: "settings.model.width_multiplier"]?.doubleValue ?? 1
    return macs * width * width
  }
}
