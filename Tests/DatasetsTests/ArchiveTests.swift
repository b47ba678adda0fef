import Datasets
import Foundation
import Testing

/// Extraction of tar.gz and zip archives built in the test: all-or-nothing, and no member may
/// reach outside the target folder.
@Suite struct ArchiveTests {
  private let members: [ArchiveWriter.TarMember] = [
    .directory("set/"),
    .file("set/a.bin", Data([1, 2, 3])),
    .file("set/sub/b.txt", Data("hello".utf8)),
    .symlink("set/link-to-a", target: "a.bin"),
    .hardLink("set/copy-of-b", target: "set/sub/b.txt"),
  ]

  @Test func tarGzExtractsFilesFoldersAndInternalLinks() throws {
    let folder = try TemporaryFolder()
    let archive = try folder.write(ArchiveWriter.gzip(ArchiveWriter.tar(members)), to: "x.tar.gz")
    try ArchiveExtractor.extract(archive, into: folder.file("out"))
    #expect(try Data(contentsOf: folder.file("out/set/a.bin")) == Data([1, 2, 3]))
    #expect(try Data(contentsOf: folder.file("out/set/link-to-a")) == Data([1, 2, 3]))
    #expect(try String(contentsOf: folder.file("out/set/copy-of-b"), encoding: .utf8) == "hello")
    #expect(try FileManager.default.destinationOfSymbolicLink(atPath: folder.file("out/set/link-to-a").path) == "a.bin")
    #expect(folder.listing().filter { $0.contains("staging") }.isEmpty)
  }

  @Test(arguments: [
    (ArchiveWriter.TarMember.file("../escape.txt", Data([0])), "path contains '..'"),
    (.file("/tmp/absolute.txt", Data([0])), "absolute path"),
    (.file("set/../../x", Data([0])), "path contains '..'"),
    (.symlink("set/evil", target: "../../outside"), "leaves the extraction folder"),
    (.symlink("set/evil", target: "/etc/passwd"), "absolute path"),
    (.hardLink("set/evil", target: "../outside"), "leaves the extraction folder"),
    (.fifo("set/pipe"), "unsupported member type"),
  ])
  func tarMembersThatEscapeAreRejectedAndNothingIsExtracted(_ member: ArchiveWriter.TarMember, reason: String) throws {
    let folder = try TemporaryFolder()
    let archive = try folder.write(ArchiveWriter.gzip(ArchiveWriter.tar(members + [member])), to: "x.tar.gz")
    let error = #expect(throws: DatasetError.self) { try ArchiveExtractor.extract(archive, into: folder.file("out")) }
    guard case let .unsafeMember(name, _, why) = error else { Issue.record("got \(String(describing: error))"); return }
    #expect(name == archive.path)
    #expect(why.contains(reason))
    #expect(folder.listing() == ["x.tar.gz"])
  }

  @Test func writingThroughAnInternalSymlinkIsRejected() throws {
    // The link itself points inside, but a later member written "through" it could be retargeted.
    let folder = try TemporaryFolder()
    let tar = ArchiveWriter.tar([.directory("d/"), .symlink("l", target: "d"), .file("l/x", Data([1]))])
    let archive = try folder.write(ArchiveWriter.gzip(tar), to: "x.tar.gz")
    let error = #expect(throws: DatasetError.self) { try ArchiveExtractor.extract(archive, into: folder.file("out")) }
    #expect(error?.description.contains("through the symbolic link") == true)
    #expect(folder.listing() == ["x.tar.gz"])
  }

  @Test(arguments: [0.3, 0.9, 0.999])
  func truncatedGzipIsAnErrorAndLeavesNothing(keptFraction: Double) throws {
    let folder = try TemporaryFolder()
    let full = ArchiveWriter.gzip(ArchiveWriter.tar(members + [.file("set/big", Data(ImageFixtures.pixels(40_000, seed: 1)))]))
    let archive = try folder.write(full.prefix(Int(Double(full.count) * keptFraction)), to: "x.tar.gz")
    let error = #expect(throws: DatasetError.self) { try ArchiveExtractor.extract(archive, into: folder.file("out")) }
    guard case let .gzip(file, reason) = error else { Issue.record("got \(String(describing: error))"); return }
    #expect(file == archive.path)
    #expect(reason.contains("truncated"))
    #expect(folder.listing() == ["x.tar.gz"])
  }

  @Test func corruptGzipNamesTheFile() throws {
    let folder = try TemporaryFolder()
    var bytes = ArchiveWriter.gzip(Data(ImageFixtures.pixels(20_000, seed: 3)))
    bytes[bytes.count / 2] ^= 0x55
    let archive = try folder.write(bytes, to: "x.tar.gz")
    let error = #expect(throws: DatasetError.self) { try ArchiveExtractor.extract(archive, into: folder.file("out")) }
    guard case .gzip(archive.path, _) = error else { Issue.record("got \(String(describing: error))"); return }
  }

  @Test func truncatedTarInsideValidGzipIsAnError() throws {
    let folder = try TemporaryFolder()
    let tar = ArchiveWriter.tar(members)
    let archive = try folder.write(ArchiveWriter.gzip(tar.prefix(tar.count - 1024 - 600)), to: "x.tar.gz")
    let error = #expect(throws: DatasetError.self) { try ArchiveExtractor.extract(archive, into: folder.file("out")) }
    guard case .corruptArchive(archive.path, _, let reason) = error else { Issue.record("got \(String(describing: error))"); return }
    #expect(reason.contains("truncated"))
    #expect(folder.listing() == ["x.tar.gz"])
  }

  @Test func badTarHeaderChecksumIsAnError() throws {
    let folder = try TemporaryFolder()
    var tar = ArchiveWriter.tar(members)
    tar[3] ^= 0x01  // inside the first member's name
    let archive = try folder.write(ArchiveWriter.gzip(tar), to: "x.tar.gz")
    let error = #expect(throws: DatasetError.self) { try ArchiveExtractor.extract(archive, into: folder.file("out")) }
    #expect(error?.description.contains("header checksum") == true)
  }

  @Test func zipExtractsAndRejectsEscapingMembers() throws {
    let folder = try TemporaryFolder()
    let good = try ArchiveWriter.zip([.file("top/a.txt", Data("a".utf8)), .symlink("top/l", target: "a.txt")])
    try ArchiveExtractor.extract(try folder.write(good, to: "good.zip"), into: folder.file("out"))
    #expect(try String(contentsOf: folder.file("out/top/l"), encoding: .utf8) == "a")

    for bad: ArchiveWriter.ZipMember in [.file("../x.txt", Data([1])), .file("/abs.txt", Data([1])),
                                           .symlink("top/evil", target: "../../etc")] {
      let target = folder.file("bad-out")
      let archive = try folder.write(try ArchiveWriter.zip([.file("top/a.txt", Data([0])), bad]), to: "bad.zip")
      let error = #expect(throws: DatasetError.self) { try ArchiveExtractor.extract(archive, into: target) }
      guard case .unsafeMember(archive.path, _, _) = error else { Issue.record("got \(String(describing: error))"); continue }
      #expect(!FileManager.default.fileExists(atPath: target.path))
    }
  }

  @Test func truncatedOrCorruptZipIsAnError() throws {
    let folder = try TemporaryFolder()
    let zip = try ArchiveWriter.zip([.file("top/a.bin", Data(ImageFixtures.pixels(50_000, seed: 4)))])
    let truncated = try folder.write(zip.prefix(zip.count / 2), to: "cut.zip")
    #expect(throws: DatasetError.self) { try ArchiveExtractor.extract(truncated, into: folder.file("out")) }
    var flipped = zip
    flipped[200] ^= 0xFF  // inside the compressed data: CRC-32 or inflate fails
    let corrupt = try folder.write(flipped, to: "bad.zip")
    let error = #expect(throws: DatasetError.self) { try ArchiveExtractor.extract(corrupt, into: folder.file("out")) }
    #expect(error?.description.contains("top/a.bin") == true)
    #expect(!FileManager.default.fileExists(atPath: folder.file("out").path))
  }
}
