/// A 2 × 2 grid of tiny networks on the real Fashion-MNIST, for the end-to-end tests: each
/// training run takes a fraction of a second in a debug build.
public enum TinyFashionMNISTGrid {
  /// The manifest `tiny` with its one profile `tiny` (the default), `epochs` epochs and `seeds`.
  /// Other `models`, `datasets` and data `source` make other small grids of the same shape.
  public static func manifest(epochs: Int, milestones: [Int], seeds: [Int], trainSubset: Int, testSubset: Int,
                              models: [String] = ["resnet50", "mobilenet_v2_cifar"], datasets: [String] = ["fashion_mnist"],
                              source: String = "published") -> String {
    """
    table:
      id: tiny
      title: "Tiny Fashion-MNIST grid"
    default_profile: tiny
    grid:
      model: [\(models.joined(separator: ", "))]
      dataset: [\(datasets.joined(separator: ", "))]
      loss:
        - {base: softmax, label: Softmax}
        - {base: softmax, lambda: 1, placement: stages, label: "Softmax + MFD"}
    report:
      rows: [model, dataset]
      columns: [loss]
      metric: top1_accuracy
      decimals: 2
    profiles:
      tiny:
        optimizer: {name: sgd, lr: 0.05, momentum: 0.9, weight_decay: 0.0005}
        schedule: {epochs: \(epochs), milestones: \(milestones), gamma: 0.1}
        data:
          source: \(source)
          batch_size: 16
          train_subset: \(trainSubset)
          test_subset: \(testSubset)
          augmentation: {pad_crop: 4, flip: true}
        model: {width_multiplier: 0.125}
        seeds: \(seeds)

    """
  }

  /// Where Debian's `dataset-fashion-mnist` puts the files (`make test` installs it).
  public static let debianFolder = "/usr/share/datasets/fashion-mnist"
}
