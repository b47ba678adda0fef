import Datasets
import Engine
import Foundation

/// One image of a preprocessed test split, normalised exactly as evaluation normalises it (the
/// catalogue's per-channel constants), as a batch of one.
public struct TestImage: @unchecked Sendable {
  /// [1, channels, side, side].
  public let tensor: Tensor
  public let index: Int
  public let label: Int
  public let className: String
  public let dataset: String

  /// Image `index` of `split`: a `.mfdsplit` file, or a folder holding `test.mfdsplit` (a
  /// preprocess step's output or a dataset's cache folder). The index counts in the file's order,
  /// the whole split, not a run's test subset.
  public init(split: URL, index: Int) throws {
    var isDirectory: ObjCBool = false
    _ = FileManager.default.fileExists(atPath: split.path, isDirectory: &isDirectory)
    let file = isDirectory.boolValue ? split.appendingPathComponent("test.mfdsplit") : split
    guard FileManager.default.fileExists(atPath: file.path) else {
      throw FigureError.missingFile(file.path, hint: "a preprocessed split: `mfd data preprocess` or a preprocess step writes it")
    }
    let (header, images) = try SplitCache.load(file)
    guard index >= 0, index < images.count else {
      throw FigureError.imageIndex(index, count: images.count, file: file.path)
    }
    let lookup = try Catalogue.descriptor(named: header.dataset).normalisation.lookupTable()
    let tensor = Tensor(zeros: [1, images.channels, images.height, images.width])
    let plane = images.height * images.width
    let start = index * images.imageSize
    for c in 0..<images.channels {
      for i in 0..<plane {
        tensor[c * plane + i] = lookup[c * 256 + Int(images.pixels[start + c * plane + i])]
      }
    }
    self.tensor = tensor
    self.index = index
    label = Int(images.labels[index])
    className = images.classNames[label]
    dataset = header.dataset
  }
}
