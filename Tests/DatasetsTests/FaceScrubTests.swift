import Datasets
import Foundation
import Testing

/// FaceScrub from a local folder: verified against its checksum list, split by a seed, recorded,
/// and loudly marked as a deviation from the paper's unpublished subset.
@Suite struct FaceScrubTests {
  /// identity → image sizes (width, height); faces of any size are centre-cropped and resized.
  private let people: [(String, [(Int, Int)])] = [
    ("alice", [(80, 100), (64, 64), (90, 90), (70, 50), (64, 64), (100, 100)]),
    ("bob", [(64, 64), (120, 80), (64, 64), (66, 66), (64, 70)]),
    ("carol", [(64, 64), (32, 32), (64, 64), (75, 75)]),
  ]

  /// Writes the folder and its SHA256SUMS; every image is one flat colour per identity.
  private func folder(writeChecksums: Bool = true) throws -> TemporaryFolder {
    let folder = try TemporaryFolder()
    var sums = ""
    for (p, (name, sizes)) in people.enumerated() {
      for (k, (w, h)) in sizes.enumerated() {
        let colour: [UInt8] = [UInt8(40 + 80 * p), UInt8(200 - 60 * p), 128]
        let pixels = (0..<w * h).flatMap { _ in colour }
        let jpeg = ImageFixtures.jpeg(pixels, width: w, height: h, channels: 3)
        try folder.write(jpeg, to: "\(name)/\(k).jpg")
        sums += "\(Digest(of: jpeg).sha256)  ./\(name)/\(k).jpg\n"
      }
    }
    if writeChecksums { try folder.write(Data(sums.utf8), to: FaceScrubInstructions.checksumFileName) }
    return folder
  }

  @Test func seededSplitIsRecordedDeterministicAndMarkedAsDeviation() throws {
    let folder = try folder()
    let result = try FaceScrubReader.read(folder: folder.url, seed: 3)
    // round(n · 3896/19792): 6 → 1, 5 → 1, 4 → 1 test images.
    #expect(result.train.count == 12 && result.test.count == 3)
    #expect(result.train.classNames == ["alice", "bob", "carol"])
    #expect(result.test.classCounts == [1, 1, 1])
    #expect(result.train.height == 64 && result.train.width == 64 && result.train.channels == 3)
    #expect(result.deviation.contains("DEVIATION") && result.deviation.contains("3 identities instead of 100")
      && result.deviation.contains("12 train images instead of 15896"))
    #expect(result.splitTable.split(separator: "\n").count == 1 + 15)

    let again = try FaceScrubReader.read(folder: folder.url, seed: 3)
    #expect(again.assignments == result.assignments && again.train == result.train)
    let reseeded = (0..<6).map { try? FaceScrubReader.read(folder: folder.url, seed: UInt64(10 + $0)).assignments }
    #expect(reseeded.contains { $0 != result.assignments })

    // Flat colour survives the crop and resize (up to JPEG loss).
    let plane = 64 * 64
    let bob = result.train.labels.firstIndex(of: 1)!
    let red = result.train.pixels[(bob * 3) * plane..<(bob * 3 + 1) * plane]
    #expect(red.allSatisfy { abs(Int($0) - 120) <= 3 })
  }

  @Test func mostFrequentIdentitiesAreKeptUpToTheClassLimit() throws {
    let folder = try folder()  // held: the folder is deleted when released
    let result = try FaceScrubReader.read(folder: folder.url, seed: 0, classLimit: 2)
    #expect(result.train.classNames == ["alice", "bob"])
    #expect(result.train.count + result.test.count == 11)
  }

  @Test func preprocessWritesCachesAndTheSplitTable() throws {
    let folder = try folder()
    let root = try TemporaryFolder()
    var preparer = DatasetPreparer(descriptor: Catalogue.faceScrub, root: root.url, fetcher: Fetcher(mirror: nil, verbose: false))
    preparer.faceScrubFolder = folder.url
    preparer.splitSeed = 3
    let headers = try preparer.preprocess()
    #expect(headers.map(\.count) == [12, 3])
    #expect(headers[0].provenance["split_seed"] == "3")
    #expect(headers[0].provenance["deviation"]?.contains("DEVIATION") == true)
    let table = try Data(contentsOf: root.file("facescrub/cache/split.tsv"))
    #expect(headers[0].provenance["split_table_sha256"] == Digest(of: table).sha256)
  }

  @Test func missingFolderOrChecksumListSaysExactlyWhatToProvide() throws {
    let root = try TemporaryFolder()
    let preparer = DatasetPreparer(descriptor: Catalogue.faceScrub, root: root.url, fetcher: Fetcher(mirror: nil, verbose: false))
    let error = #expect(throws: DatasetError.self) { try preparer.preprocess() }
    guard case let .notProvided("facescrub", where_, instructions) = error else { Issue.record("got \(String(describing: error))"); return }
    #expect(where_ == root.file("facescrub/images").path)
    #expect(instructions.contains("<identity>/<image>.jpg") && instructions.contains("sha256sum > SHA256SUMS")
      && instructions.contains("NOT the paper's subset"))
    #expect(throws: DatasetError.self) { try Fetcher(mirror: nil, verbose: false).fetch(Catalogue.faceScrub, layout: DatasetLayout(root: root.url, name: "facescrub")) }

    let unlisted = try folder(writeChecksums: false)
    let noList = #expect(throws: DatasetError.self) { try FaceScrubReader.read(folder: unlisted.url, seed: 0) }
    guard case .notProvided = noList else { Issue.record("got \(String(describing: noList))"); return }
  }

  @Test func tamperedOrUnlistedImagesAreRejectedByName() throws {
    let folder = try folder()
    var bytes = try Data(contentsOf: folder.file("bob/2.jpg"))
    bytes[bytes.count - 10] ^= 0xFF
    try bytes.write(to: folder.file("bob/2.jpg"))
    let error = #expect(throws: DatasetError.self) { try FaceScrubReader.read(folder: folder.url, seed: 0) }
    guard case let .checksumMismatch(file, "SHA-256", _, _) = error else { Issue.record("got \(String(describing: error))"); return }
    #expect(file == folder.file("bob/2.jpg").path)

    let other = try self.folder()
    try other.write(Data([0xFF, 0xD8]), to: "carol/extra.jpg")
    let unlisted = #expect(throws: DatasetError.self) { try FaceScrubReader.read(folder: other.url, seed: 0) }
    #expect(unlisted?.description.contains("no line for carol/extra.jpg") == true)
  }
}
