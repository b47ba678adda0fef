import Datasets
import Foundation
import Testing

/// CIFAR-10/100 from archives in the real layout, served by a loopback mirror and taken through
/// the same fetch → extract → decode → cache path as `mfd data preprocess cifar10`.
@Suite struct CIFARTests {
  /// `cifar-10-binary.tar.gz` with 5 train batches of `perBatch` records and a test batch.
  private func cifar10Archive(perBatch: Int) -> (archive: Data, train: [UInt8], trainLabels: [Int32], test: [UInt8]) {
    var members: [ArchiveWriter.TarMember] = [.directory("cifar-10-batches-bin/")]
    var train: [UInt8] = [], labels: [Int32] = []
    for b in 1...5 {
      let batchLabels = (0..<perBatch).map { [UInt8(($0 * 7 + b) % 10)] }
      let (file, pixels) = ImageFixtures.cifarRecords(labels: batchLabels, seed: UInt64(b))
      members.append(.file("cifar-10-batches-bin/data_batch_\(b).bin", file))
      train += pixels
      labels += batchLabels.map { Int32($0[0]) }
    }
    let (testFile, test) = ImageFixtures.cifarRecords(labels: (0..<perBatch).map { [UInt8($0 % 10)] }, seed: 99)
    members.append(.file("cifar-10-batches-bin/test_batch.bin", testFile))
    let names = Catalogue.cifar10.classNames!.joined(separator: "\n") + "\n\n"
    members.append(.file("cifar-10-batches-bin/batches.meta.txt", Data(names.utf8)))
    return (ArchiveWriter.gzip(ArchiveWriter.tar(members)), train, labels, test)
  }

  @Test func cifar10ArchiveFromLoopbackMirrorBecomesVerifiedCaches() throws {
    let (archive, train, trainLabels, test) = cifar10Archive(perBatch: 20)
    let server = try LoopbackHTTPServer(routes: ["cifar-10-binary.tar.gz": .init(body: archive)])
    let root = try TemporaryFolder()
    let descriptor = ImageFixtures.descriptor(Catalogue.cifar10, accepting: ["cifar-10-binary.tar.gz": archive])
    let preparer = DatasetPreparer(descriptor: descriptor, root: root.url,
                                   fetcher: Fetcher(mirror: Mirror(server.baseURL), verbose: false))
    let headers = try preparer.preprocess()
    #expect(headers.map(\.count) == [100, 20])
    #expect(headers[0].provenance["source:cifar-10-binary.tar.gz"] == Digest(of: archive).sha256)

    let loaded = try DatasetPreparer.load(root: root.url, name: "cifar10", split: "train")
    #expect(loaded.pixels == train)
    #expect(loaded.labels == trainLabels)
    #expect(loaded.classNames == Catalogue.cifar10.classNames!)
    #expect(try DatasetPreparer.load(root: root.url, name: "cifar10", split: "test").pixels == test)
    // Preprocessing again reuses the verified download and the up-to-date caches (nothing is
    // extracted again); `force` rebuilds them from the archive.
    try FileManager.default.removeItem(at: root.file("cifar10/extracted"))
    #expect(try preparer.preprocess() == headers)
    #expect(!FileManager.default.fileExists(atPath: root.file("cifar10/extracted").path))
    #expect(try preparer.preprocess(force: true) == headers)
    #expect(FileManager.default.fileExists(atPath: root.file("cifar10/extracted/cifar-10-batches-bin/test_batch.bin").path))
    #expect(server.requests.count == 1)
  }

  @Test func cifar100KeepsFineAndCoarseLabels() throws {
    let fine = (0..<30).map { UInt8($0 * 3 % 100) }, coarse = (0..<30).map { UInt8($0 % 20) }
    let (file, pixels) = ImageFixtures.cifarRecords(labels: zip(coarse, fine).map { [$0, $1] }, seed: 5)
    let folder = try TemporaryFolder()
    let url = try folder.write(file, to: "train.bin")
    let names = (0..<100).map { "fine\($0)" }, superNames = (0..<20).map { "coarse\($0)" }
    let set = try CIFARReader.read([url], variant: .cifar100, classNames: names, coarseClassNames: superNames)
    #expect(set.count == 30 && set.pixels == pixels)
    #expect(set.labels == fine.map(Int32.init))
    #expect(set.coarseLabels == coarse.map(Int32.init))

    let cache = folder.file("train.mfdsplit")
    try SplitCache.write(set, dataset: "cifar100", split: "train", provenance: [:], to: cache)
    #expect(try SplitCache.load(cache).images == set)
  }

  @Test func labelOutOfRangeNamesFileRecordAndRange() throws {
    let (file, _) = ImageFixtures.cifarRecords(labels: [[1], [2], [10], [3]], seed: 1)
    let folder = try TemporaryFolder()
    let url = try folder.write(file, to: "data_batch_1.bin")
    let error = #expect(throws: DatasetError.self) {
      try CIFARReader.read([url], variant: .cifar10, classNames: Catalogue.cifar10.classNames!)
    }
    #expect(error == .malformed(file: url.path, field: "record 2 label", expected: "0…9", actual: "10"))

    let (coarseBad, _) = ImageFixtures.cifarRecords(labels: [[20, 5]], seed: 1)
    let coarseURL = try folder.write(coarseBad, to: "train.bin")
    let coarseError = #expect(throws: DatasetError.self) {
      try CIFARReader.read([coarseURL], variant: .cifar100, classNames: (0..<100).map(String.init),
                           coarseClassNames: (0..<20).map(String.init))
    }
    #expect(coarseError?.description.contains("record 0 coarse label is 20, expected 0…19") == true)
  }

  @Test func fileThatIsNotWholeRecordsIsRejected() throws {
    let (file, _) = ImageFixtures.cifarRecords(labels: [[1], [2]], seed: 1)
    let folder = try TemporaryFolder()
    let url = try folder.write(file.prefix(3073 + 100), to: "test_batch.bin")
    let error = #expect(throws: DatasetError.self) {
      try CIFARReader.read([url], variant: .cifar10, classNames: Catalogue.cifar10.classNames!)
    }
    #expect(error == .malformed(file: url.path, field: "size", expected: "a positive multiple of 3073 bytes", actual: "3173 bytes"))
  }

  @Test func classNamesInTheArchiveMustMatchTheCatalogue() throws {
    var members: [ArchiveWriter.TarMember] = []
    for b in 1...5 { members.append(.file("cifar-10-batches-bin/data_batch_\(b).bin", ImageFixtures.cifarRecords(labels: [[0]], seed: 1).file)) }
    members.append(.file("cifar-10-batches-bin/test_batch.bin", ImageFixtures.cifarRecords(labels: [[0]], seed: 1).file))
    members.append(.file("cifar-10-batches-bin/batches.meta.txt", Data((0..<10).map { "c\($0)" }.joined(separator: "\n").utf8)))
    let archive = ArchiveWriter.gzip(ArchiveWriter.tar(members))
    let mirror = try TemporaryFolder()
    try mirror.write(archive, to: "cifar-10-binary.tar.gz")
    let root = try TemporaryFolder()
    let preparer = DatasetPreparer(descriptor: ImageFixtures.descriptor(Catalogue.cifar10, accepting: ["cifar-10-binary.tar.gz": archive]),
                                   root: root.url, fetcher: Fetcher(mirror: Mirror(mirror.url.path), verbose: false))
    let error = #expect(throws: DatasetError.self) { try preparer.preprocess() }
    #expect(error?.description.contains("batches.meta.txt: class names") == true)
    #expect(!FileManager.default.fileExists(atPath: root.file("cifar10/cache").path))
  }
}
