import Datasets
import Foundation
import Testing

@Suite struct SplitCacheTests {
  private let images = ImageSet(count: 3, channels: 3, height: 4, width: 5, pixels: ImageFixtures.pixels(180, seed: 2),
                                labels: [2, 0, 1], classNames: ["a", "b", "c"])

  @Test func roundTripKeepsEverythingAndRecordsStatistics() throws {
    let folder = try TemporaryFolder()
    let url = folder.file("train.mfdsplit")
    let written = try SplitCache.write(images, dataset: "toy", split: "train", provenance: ["seed": "1"], to: url)
    let (header, loaded) = try SplitCache.load(url)
    #expect(loaded == images)
    #expect(header == written)
    #expect(try SplitCache.header(at: url) == written)
    let stats = images.channelStatistics()
    #expect(header.channelMean == stats.mean && header.channelStd == stats.std)
    // 16-byte prefix + JSON header + pixels + Int32 labels.
    let headerLength = try Data(contentsOf: url).count - 180 - 12 - 16
    #expect(headerLength > 0)
    #expect(folder.listing() == ["train.mfdsplit"])
  }

  @Test func flippedPayloadByteFailsTheChecksumNamingTheFile() throws {
    let folder = try TemporaryFolder()
    let url = folder.file("test.mfdsplit")
    let header = try SplitCache.write(images, dataset: "toy", split: "test", provenance: [:], to: url)
    var bytes = try Data(contentsOf: url)
    bytes[bytes.count - 20] ^= 1
    try bytes.write(to: url)
    let error = #expect(throws: DatasetError.self) { try SplitCache.load(url) }
    guard case let .checksumMismatch(file, _, expected, _) = error else { Issue.record("got \(String(describing: error))"); return }
    #expect(file == url.path && expected == header.payloadSHA256)
  }

  @Test func truncatedCacheAndWrongMagicAreRejected() throws {
    let folder = try TemporaryFolder()
    let url = folder.file("train.mfdsplit")
    try SplitCache.write(images, dataset: "toy", split: "train", provenance: [:], to: url)
    let bytes = try Data(contentsOf: url)
    try bytes.prefix(bytes.count - 7).write(to: url)
    let error = #expect(throws: DatasetError.self) { try SplitCache.load(url) }
    #expect(error?.description.contains("payload size") == true)
    try (Data("NOTSPLIT".utf8) + bytes.dropFirst(8)).write(to: url)
    let magic = #expect(throws: DatasetError.self) { try SplitCache.load(url) }
    #expect(magic?.description.contains("magic") == true)
  }
}
