import Foundation

/// CIFAR-10 and CIFAR-100 binary files: fixed-size records with no header.
///
/// - CIFAR-10 record: `<label 0…9><3072 B>`, 3,073 bytes.
/// - CIFAR-100 record: `<coarse 0…19><fine 0…99><3072 B>`, 3,074 bytes.
/// The 3,072 pixel bytes are planar 32×32 R, then G, then B, rows top to bottom — already the
/// [c, h, w] order of `ImageSet`, so records are copied, not rearranged.
public enum CIFARReader {
  public enum Variant: Sendable {
    case cifar10
    case cifar100

    var labelBytes: Int { self == .cifar10 ? 1 : 2 }
    var recordSize: Int { labelBytes + 3072 }
  }

  /// Reads and concatenates `files` in order.
  /// - Parameters:
  ///   - classNames: label names (10 or 100 fine ones); labels are checked against their count.
  ///   - coarseClassNames: CIFAR-100's 20 superclass names.
  public static func read(_ files: [URL], variant: Variant, classNames: [String],
                          coarseClassNames: [String] = []) throws(DatasetError) -> ImageSet {
    var pixels: [UInt8] = []
    var labels: [Int32] = []
    var coarse: [Int32] = []
    for file in files {
      let data: Data
      do { data = try Data(contentsOf: file) } catch {
        throw .missingFile(path: file.path, hint: "the archive did not contain it; run `mfd data fetch` again")
      }
      guard data.count > 0, data.count % variant.recordSize == 0 else {
        throw .malformed(file: file.path, field: "size", expected: "a positive multiple of \(variant.recordSize) bytes",
                         actual: "\(data.count) bytes")
      }
      let records = data.count / variant.recordSize
      pixels.reserveCapacity(pixels.count + records * 3072)
      try data.withBytes { (raw: UnsafeRawBufferPointer) throws(DatasetError) in
        let bytes = raw.bindMemory(to: UInt8.self)
        for r in 0..<records {
          let start = r * variant.recordSize
          let fine = Int32(bytes[start + variant.labelBytes - 1])
          guard Int(fine) < classNames.count else {
            throw .malformed(file: file.path, field: "record \(r) label", expected: "0…\(classNames.count - 1)",
                             actual: "\(fine)")
          }
          if variant == .cifar100 {
            let superclass = Int32(bytes[start])
            guard Int(superclass) < coarseClassNames.count else {
              throw .malformed(file: file.path, field: "record \(r) coarse label",
                               expected: "0…\(coarseClassNames.count - 1)", actual: "\(superclass)")
            }
            coarse.append(superclass)
          }
          labels.append(fine)
          pixels.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start + variant.labelBytes..<start + variant.recordSize]))
        }
      }
    }
    return ImageSet(count: labels.count, channels: 3, height: 32, width: 32, pixels: pixels, labels: labels,
                    coarseLabels: coarse, classNames: classNames, coarseClassNames: coarseClassNames)
  }

  /// Class names from a names file (`batches.meta.txt`, `fine_label_names.txt`): one per line,
  /// blank lines ignored.
  /// - Throws: `.malformed` unless there are exactly `expectedCount` names.
  public static func classNames(_ file: URL, expectedCount: Int) throws(DatasetError) -> [String] {
    guard let text = try? String(contentsOf: file, encoding: .utf8) else {
      throw .missingFile(path: file.path, hint: "the archive did not contain it; run `mfd data fetch` again")
    }
    let names = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
      .filter { !$0.isEmpty }
    guard names.count == expectedCount else {
      throw .malformed(file: file.path, field: "class name count", expected: "\(expectedCount)", actual: "\(names.count)")
    }
    return names
  }
}
