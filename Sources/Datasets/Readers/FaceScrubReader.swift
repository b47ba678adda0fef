import Foundation
import Kernels

/// FaceScrub from a local folder of identity sub-folders (see `FaceScrubInstructions`).
///
/// Every file listed in `SHA256SUMS` is verified and every JPEG in the folder must be listed, so
/// the data a result was computed from is pinned. Identities: the `classLimit` with the most
/// images (ties broken by name), indexed in sorted name order. Split: per identity, a shuffle
/// seeded by (seed, identity name) puts round(n · testFraction) images in test.
public enum FaceScrubReader {
  /// The paper's counts: 100 identities, 15,896 train and 3,896 test images.
  public static let paperClasses = 100, paperTrain = 15_896, paperTest = 3_896
  public static let testFraction = Double(paperTest) / Double(paperTrain + paperTest)
  public static let imageSide = 64

  /// One image's place in the split, as recorded in `split.tsv`.
  public struct Assignment: Sendable, Equatable {
    public var path: String
    public var identity: String
    public var split: String
    public var sha256: String
  }

  public struct Result: Sendable {
    public var train: ImageSet
    public var test: ImageSet
    public var assignments: [Assignment]
    /// Why this split is not the paper's: always set, since the paper's subset is unpublished;
    /// says which counts differ.
    public var deviation: String

    /// `path<TAB>identity<TAB>split<TAB>sha256` lines with a header, the record of the split.
    public var splitTable: String {
      "path\tidentity\tsplit\tsha256\n" + assignments.map { "\($0.path)\t\($0.identity)\t\($0.split)\t\($0.sha256)\n" }.joined()
    }
  }

  public static func read(folder: URL, seed: UInt64, classLimit: Int = paperClasses) throws(DatasetError) -> Result {
    let listed = try verifiedChecksums(folder: folder)
    var byIdentity: [String: [String]] = [:]
    for path in listed.keys.sorted() {
      let parts = path.split(separator: "/")
      guard parts.count == 2 else {
        throw .malformed(file: folder.appendingPathComponent(FaceScrubInstructions.checksumFileName).path,
                         field: "path '\(path)'", expected: "<identity>/<image>", actual: "\(parts.count) components")
      }
      byIdentity[String(parts[0]), default: []].append(path)
    }
    let chosen = byIdentity.keys.sorted { (byIdentity[$0]!.count, $1) > (byIdentity[$1]!.count, $0) }
      .prefix(classLimit).sorted()
    var assignments: [Assignment] = []
    for identity in chosen {
      var files = byIdentity[identity]!
      var generator = SeededGenerator(seed: seed, stream: [SeededGenerator.label("facescrub-split"), SeededGenerator.label(identity)])
      files.shuffle(using: &generator)
      let testCount = Int((Double(files.count) * testFraction).rounded())
      for (i, path) in files.enumerated() {
        assignments.append(Assignment(path: path, identity: identity, split: i < testCount ? "test" : "train", sha256: listed[path]!))
      }
    }
    assignments.sort { $0.path < $1.path }
    let index = Dictionary(uniqueKeysWithValues: chosen.enumerated().map { ($1, Int32($0)) })
    func decode(_ split: String) throws(DatasetError) -> ImageSet {
      let items = assignments.filter { $0.split == split }
      return try JPEGBatchDecoder.decode(
        items.map { folder.appendingPathComponent($0.path) }, labels: items.map { index[$0.identity]! },
        height: imageSide, width: imageSide, classNames: chosen,
        transform: { image, _ in ImageResampler.resize(ImageResampler.centreSquare(image), width: imageSide, height: imageSide) })
    }
    let train = try decode("train"), test = try decode("test")
    return Result(train: train, test: test, assignments: assignments,
                  deviation: deviation(classes: chosen.count, train: train.count, test: test.count, seed: seed))
  }

  /// The loud statement of how this split relates to the paper's.
  static func deviation(classes: Int, train: Int, test: Int, seed: UInt64) -> String {
    var differences: [String] = []
    if classes != paperClasses { differences.append("\(classes) identities instead of \(paperClasses)") }
    if train != paperTrain { differences.append("\(train) train images instead of \(paperTrain)") }
    if test != paperTest { differences.append("\(test) test images instead of \(paperTest)") }
    let counts = differences.isEmpty ? "counts match the paper's" : differences.joined(separator: ", ")
    return "DEVIATION (FaceScrub): locally provided images with a split seeded by \(seed), not the paper's unpublished subset; \(counts)."
  }

  /// Parses `SHA256SUMS`, checks it lists exactly the folder's JPEGs, and verifies each hash.
  /// - Returns: relative path → SHA-256.
  static func verifiedChecksums(folder: URL) throws(DatasetError) -> [String: String] {
    let listFile = folder.appendingPathComponent(FaceScrubInstructions.checksumFileName)
    guard let text = try? String(contentsOf: listFile, encoding: .utf8) else {
      throw .notProvided(dataset: "facescrub", root: folder.path, instructions: FaceScrubInstructions.text(folder: folder.path))
    }
    var listed: [String: String] = [:]
    for (n, line) in text.split(whereSeparator: \.isNewline).enumerated() {
      // sha256sum: "<64 hex>  <path>" ("*" before the path in binary mode).
      let hash = String(line.prefix(64))
      var path = String(line.dropFirst(64)).trimmingCharacters(in: .whitespaces)
      if path.hasPrefix("*") { path.removeFirst() }
      if path.hasPrefix("./") { path.removeFirst(2) }
      guard hash.count == 64, hash.allSatisfy(\.isHexDigit), !path.isEmpty else {
        throw .malformed(file: listFile.path, field: "line \(n + 1)", expected: "<sha256>  <identity>/<file>", actual: "'\(line)'")
      }
      listed[path] = hash.lowercased()
    }
    let present = jpegFiles(under: folder)
    if let unlisted = present.subtracting(listed.keys).sorted().first {
      throw .malformed(file: listFile.path, field: "entries", expected: "a line for every image",
                       actual: "no line for \(unlisted) (\(present.subtracting(listed.keys).count) unlisted)")
    }
    for (path, expected) in listed.sorted(by: { $0.key < $1.key }) {
      let url = folder.appendingPathComponent(path)
      guard fileSize(url) != nil else {
        throw .missingFile(path: url.path, hint: "\(FaceScrubInstructions.checksumFileName) lists it")
      }
      let actual = try Digest(ofFileAt: url).sha256
      guard actual == expected else {
        throw .checksumMismatch(file: url.path, algorithm: "SHA-256", expected: expected, actual: actual)
      }
    }
    return listed
  }

  /// Relative paths of the JPEG files one level below the identity folders.
  private static func jpegFiles(under folder: URL) -> Set<String> {
    var found = Set<String>()
    let fm = FileManager.default
    for identity in (try? fm.contentsOfDirectory(atPath: folder.path)) ?? [] {
      var isDirectory: ObjCBool = false
      guard fm.fileExists(atPath: folder.appendingPathComponent(identity).path, isDirectory: &isDirectory),
            isDirectory.boolValue else { continue }
      for name in (try? fm.contentsOfDirectory(atPath: folder.appendingPathComponent(identity).path)) ?? []
      where TinyImageNetReader.isJPEG(name) {
        found.insert("\(identity)/\(name)")
      }
    }
    return found
  }
}
