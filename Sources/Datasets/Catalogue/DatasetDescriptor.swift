/// How a dataset's files are laid out and decoded.
public enum DatasetFormat: String, Sendable, Codable {
  /// `cifar-10-binary.tar.gz`: records of <1 B label><3072 B planar RGB>.
  case cifar10Binary
  /// `cifar-100-binary.tar.gz`: records of <1 B coarse><1 B fine><3072 B planar RGB>.
  case cifar100Binary
  /// `tiny-imagenet-200.zip`: 64×64 JPEGs, `val/val_annotations.txt` labels the test split.
  case tinyImageNetZip
  /// Four gzip-compressed IDX files.
  case fashionMNISTIDX
  /// A local folder of identity sub-folders; nothing to download.
  case faceScrubFolder
}

/// Everything the pipeline needs to know about one dataset before touching its files.
public struct DatasetDescriptor: Sendable, Equatable {
  /// Catalogue key (`cifar10`, `tiny_imagenet`, …).
  public var name: String
  public var title: String
  public var format: DatasetFormat
  public var files: [DatasetFile]
  /// Image shape after decoding: channels, height, width.
  public var channels: Int
  public var height: Int
  public var width: Int
  public var classCount: Int
  /// Class names in label order when fixed by the dataset's definition; nil when they are read
  /// from the files (CIFAR-100's and Tiny ImageNet's come with the archive).
  public var classNames: [String]?
  /// Images per split as published (`train`, `test`).
  public var splitCounts: [String: Int]
  public var normalisation: Normalisation
  /// Facts a user should know (deviations, where the test split comes from).
  public var notes: String

  /// Total bytes to download, when every file's size is published (nil for FaceScrub: nothing
  /// to download).
  public var downloadSize: Int64? {
    guard !files.isEmpty else { return nil }
    var total: Int64 = 0
    for file in files {
      guard let size = file.accepted.first?.size else { return nil }
      total += size
    }
    return total
  }
}
