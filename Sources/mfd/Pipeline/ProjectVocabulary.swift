import Models
import Pipeline

/// What the CLI knows about this project's models and datasets, for manifest checks and estimates.
enum ProjectVocabulary {
  /// Dataset names of the Datasets catalogue, and their sizes (paper §IV.A; Fashion-MNIST 60k/10k 28×28,
  /// padded to 32). Fetch/preprocess seconds are rough: download at ~10 MB/s, decode at ~5k img/s.
  static let datasets: [String: DatasetCost] = [
    "cifar10": DatasetCost(trainImages: 50_000, testImages: 10_000, side: 32, fetchSeconds: 20, preprocessSeconds: 15),
    "cifar100": DatasetCost(trainImages: 50_000, testImages: 10_000, side: 32, fetchSeconds: 20, preprocessSeconds: 15),
    "tiny_imagenet": DatasetCost(trainImages: 100_000, testImages: 10_000, side: 64, fetchSeconds: 30, preprocessSeconds: 60),
    "facescrub": DatasetCost(trainImages: 15_896, testImages: 3_896, side: 64, fetchSeconds: 0, preprocessSeconds: 20),
    "fashion_mnist": DatasetCost(trainImages: 60_000, testImages: 10_000, side: 32, fetchSeconds: 1, preprocessSeconds: 10),
  ]

  static let manifestVocabulary = ManifestVocabulary(
    models: Architecture.allCases.map(\.rawValue), datasets: datasets.keys.sorted())

  /// Sustained training GFLOP/s of the whole 2-core machine: baseline.md measures PyTorch's best at
  /// ≈ 142 GFLOP/s (72 % of the sgemm ceiling); we assume 100 until `mfd bench` feeds a measured value.
  static let machineGFLOPS = 100.0

  /// Forward MACs per image at width 1 (100 classes) as `mfd models` measures them: at 32×32, and
  /// at 64×64 with the stem max-pool the paper keeps for 64×64 datasets (MobileNetV2 has none).
  /// A table, not a build of each network: building them costs ~0.3 s and `plan` must take < 0.2 s.
  /// The Steps module should supply these from the Models module directly.
  static let forwardMACs: [String: (at32: Double, at64: Double)] = [
    "resnet50": (1_298_014_208, 1_303_322_624),
    "resnext50_32x4d": (1_344_151_552, 1_349_459_968),
    "densenet121": (888_442_880, 893_751_296),
    "mobilenet_v2": (6_240_128, 24_576_512),
    "mobilenet_v2_cifar": (91_270_144, 364_696_576),
  ]

  static let costModel = ThroughputCostModel(forwardMACs: { model, side in
    forwardMACs[model].map { side >= 64 ? $0.at64 : $0.at32 }
  }, datasets: datasets, machineGFLOPS: machineGFLOPS)
}
