import Foundation

/// Tiny ImageNet from its extracted `tiny-imagenet-200/` folder:
/// `wnids.txt`, `train/<wnid>/images/<wnid>_<k>.JPEG` (500 per class) and `val/images/val_<i>.JPEG`
/// labelled by `val/val_annotations.txt` (`file<TAB>wnid<TAB>x0<TAB>y0<TAB>x1<TAB>y1`).
///
/// The labelled val set is the test split (test/ has no labels). Class index = position of the
/// wnid in the *sorted* list (ImageFolder's convention, not wnids.txt's order); the list is stored
/// as the class names so the mapping is recorded with the data.
public enum TinyImageNetReader {
  public static let imageSide = 64

  /// The sorted wnids of `wnids.txt`.
  public static func classIDs(root: URL) throws(DatasetError) -> [String] {
    let file = root.appendingPathComponent("wnids.txt")
    guard let text = try? String(contentsOf: file, encoding: .utf8) else {
      throw .missingFile(path: file.path, hint: "expected the extracted tiny-imagenet-200 folder")
    }
    let ids = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    guard Set(ids).count == ids.count, !ids.isEmpty else {
      throw .malformed(file: file.path, field: "wnids", expected: "distinct, non-empty", actual: "\(ids.count) lines with duplicates or none")
    }
    return ids.sorted()
  }

  /// The training split: every JPEG under `train/<wnid>/images/`, classes in sorted order, files
  /// sorted by name within a class.
  public static func train(root: URL) throws(DatasetError) -> ImageSet {
    let wnids = try classIDs(root: root)
    var files: [URL] = []
    var labels: [Int32] = []
    for (label, wnid) in wnids.enumerated() {
      let folder = root.appendingPathComponent("train/\(wnid)/images", isDirectory: true)
      guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else {
        throw .missingFile(path: folder.path, hint: "wnids.txt lists \(wnid) but the archive has no images for it")
      }
      for name in names.filter(isJPEG).sorted() {
        files.append(folder.appendingPathComponent(name))
        labels.append(Int32(label))
      }
    }
    return try JPEGBatchDecoder.decode(files, labels: labels, height: imageSide, width: imageSide, classNames: wnids)
  }

  /// The test split: `val/images/*` labelled by `val_annotations.txt`, in the annotation file's order.
  public static func test(root: URL) throws(DatasetError) -> ImageSet {
    let wnids = try classIDs(root: root)
    let index = Dictionary(uniqueKeysWithValues: wnids.enumerated().map { ($1, Int32($0)) })
    let annotations = root.appendingPathComponent("val/val_annotations.txt")
    guard let text = try? String(contentsOf: annotations, encoding: .utf8) else {
      throw .missingFile(path: annotations.path, hint: "expected the extracted tiny-imagenet-200 folder")
    }
    var files: [URL] = []
    var labels: [Int32] = []
    for (n, line) in text.split(whereSeparator: \.isNewline).enumerated() {
      let fields = line.split(separator: "\t").map(String.init)
      guard fields.count >= 2 else {
        throw .malformed(file: annotations.path, field: "line \(n + 1)", expected: "file<TAB>wnid<TAB>box", actual: "'\(line)'")
      }
      guard let label = index[fields[1]] else {
        throw .malformed(file: annotations.path, field: "line \(n + 1) wnid", expected: "one of the \(wnids.count) wnids of wnids.txt",
                         actual: fields[1])
      }
      guard !fields[0].contains("/") else {
        throw .malformed(file: annotations.path, field: "line \(n + 1) file", expected: "a file name in val/images", actual: fields[0])
      }
      files.append(root.appendingPathComponent("val/images/\(fields[0])"))
      labels.append(label)
    }
    return try JPEGBatchDecoder.decode(files, labels: labels, height: imageSide, width: imageSide, classNames: wnids)
  }

  static func isJPEG(_ name: String) -> Bool {
    let lower = name.lowercased()
    return lower.hasSuffix(".jpeg") || lower.hasSuffix(".jpg")
  }
}
