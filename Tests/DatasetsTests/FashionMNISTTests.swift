import Datasets
import Foundation
import Testing

private let debianFolder = "/usr/share/datasets/fashion-mnist"

/// Fashion-MNIST: IDX decoding, and the real files from Debian's `dataset-fashion-mnist`
/// (`make test` installs it), verified by the catalogue's checksums.
@Suite struct FashionMNISTTests {
  private func idx(magic: UInt32, dims: [Int], payload: [UInt8]) -> Data {
    var data = Data()
    for word in [magic] + dims.map(UInt32.init) { data.append(contentsOf: [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: word >> $0) }) }
    return data + Data(payload)
  }

  private let names = (0..<10).map { "class\($0)" }

  @Test func idxImagesAndLabelsDecode() throws {
    let pixels = ImageFixtures.pixels(3 * 28 * 28, seed: 1)
    let set = try IDXReader.read(images: idx(magic: 0x803, dims: [3, 28, 28], payload: pixels), imagesName: "i",
                                 labels: idx(magic: 0x801, dims: [3], payload: [9, 0, 4]), labelsName: "l", classNames: names)
    #expect(set.count == 3 && set.channels == 1 && set.height == 28 && set.pixels == pixels && set.labels == [9, 0, 4])
  }

  @Test func idxFilesAreReadGzippedOrRaw() throws {
    let folder = try TemporaryFolder()
    let raw = idx(magic: 0x801, dims: [3], payload: [1, 2, 3])
    let plain = try folder.write(raw, to: "labels-idx1-ubyte")
    let packed = try folder.write(ArchiveWriter.gzip(raw), to: "labels-idx1-ubyte.gz")
    #expect(try IDXReader.contents(of: plain) == raw)
    #expect(try IDXReader.contents(of: packed) == raw)
    let cut = try folder.write(ArchiveWriter.gzip(raw).dropLast(4), to: "cut.gz")
    let error = #expect(throws: DatasetError.self) { try IDXReader.contents(of: cut) }
    #expect(error?.description.contains("cut.gz: gzip: truncated") == true)
  }

  @Test func idxErrorsNameFileAndField() throws {
    let images = idx(magic: 0x803, dims: [2, 2, 2], payload: [1, 2, 3, 4, 5, 6, 7, 8])
    let cases: [(Data, Data, DatasetError)] = [
      (idx(magic: 0x801, dims: [2, 2, 2], payload: [UInt8](repeating: 0, count: 8)), idx(magic: 0x801, dims: [2], payload: [0, 1]),
       .malformed(file: "images.idx", field: "magic", expected: "0x00000803", actual: "0x00000801")),
      (images, idx(magic: 0x801, dims: [2], payload: [0, 10]),
       .malformed(file: "labels.idx", field: "label 1", expected: "0…9", actual: "10")),
      (images, idx(magic: 0x801, dims: [3], payload: [0, 1, 2]),
       .malformed(file: "labels.idx", field: "label count", expected: "2 (the image count of images.idx)", actual: "3")),
      (images.prefix(images.count - 1), idx(magic: 0x801, dims: [2], payload: [0, 1]),
       .malformed(file: "images.idx", field: "payload size", expected: "8 bytes (2×2×2)", actual: "7 bytes")),
    ]
    for (imageData, labelData, expected) in cases {
      let error = #expect(throws: DatasetError.self) {
        try IDXReader.read(images: imageData, imagesName: "images.idx", labels: labelData, labelsName: "labels.idx", classNames: names)
      }
      #expect(error == expected)
    }
  }

  @Test func gzipWhoseContentDiffersFromTheCatalogueIsRejected() throws {
    // Same file names as Fashion-MNIST, checksums of the .gz accepted, but the decompressed bytes
    // are not the catalogue's: the content check must catch it.
    let mirror = try TemporaryFolder()
    var archives: [String: Data] = [:]
    for file in Catalogue.fashionMNIST.files {
      archives[file.name] = ArchiveWriter.gzip(idx(magic: 0x801, dims: [1], payload: [0]))
      try mirror.write(archives[file.name]!, to: file.name)
    }
    var descriptor = ImageFixtures.descriptor(Catalogue.fashionMNIST, accepting: archives)
    descriptor.files = zip(descriptor.files, Catalogue.fashionMNIST.files).map { var f = $0; f.content = $1.content; return f }
    let root = try TemporaryFolder()
    let preparer = DatasetPreparer(descriptor: descriptor, root: root.url, fetcher: Fetcher(mirror: Mirror(mirror.url.path), verbose: false))
    let error = #expect(throws: DatasetError.self) { try preparer.preprocess() }
    #expect(error?.description.contains("train-images-idx3-ubyte.gz (decompressed): size 9 bytes, expected 47040016") == true)
  }

  @Test(.enabled(if: FileManager.default.fileExists(atPath: debianFolder), "needs Debian's dataset-fashion-mnist (make test installs it)"))
  func realFashionMNISTLoadsOfflineWithVerifiedChecksums() throws {
    let root = try TemporaryFolder()
    // No mirror: the catalogue's first source is Debian's copy.
    let preparer = DatasetPreparer(descriptor: Catalogue.fashionMNIST, root: root.url, fetcher: Fetcher(mirror: nil, verbose: false))
    let headers = try preparer.preprocess()
    #expect(headers.map(\.count) == [60_000, 10_000])
    for file in Catalogue.fashionMNIST.files {
      let digest = try Fetcher.verify(file, at: root.file("fashion_mnist/downloads/\(file.name)"))
      #expect(digest.md5 == file.accepted[1].md5)  // Debian's re-gzipped variant
    }
    let train = try DatasetPreparer.load(root: root.url, name: "fashion_mnist", split: "train")
    let test = try DatasetPreparer.load(root: root.url, name: "fashion_mnist", split: "test")
    #expect(train.classNames.count == 10 && train.height == 28 && train.width == 28 && train.channels == 1)
    #expect(train.classCounts == [Int](repeating: 6_000, count: 10))
    #expect(test.classCounts == [Int](repeating: 1_000, count: 10))
    // The catalogue's normalisation constants are the training set's own, to the digits given.
    #expect(abs(headers[0].channelMean[0] - Double(Catalogue.fashionMNIST.normalisation.mean[0])) < 5e-4)
    #expect(abs(headers[0].channelStd[0] - Double(Catalogue.fashionMNIST.normalisation.std[0])) < 5e-4)
  }
}
