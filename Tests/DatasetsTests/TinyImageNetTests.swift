import Datasets
import Foundation
import Testing

/// Tiny ImageNet from a zip in the real layout (JPEGs encoded by libjpeg-turbo in the test).
@Suite struct TinyImageNetTests {
  /// wnids.txt deliberately unsorted: the class index must follow the sorted order.
  private let wnids = ["n02", "n01", "n03"]

  private struct Fixture {
    var zip: Data
    /// Source pixels per file name, interleaved RGB (gray files: one channel).
    var sources: [String: (pixels: [UInt8], channels: Int)]
  }

  private func fixture(corrupt: String? = nil, smallImage: String? = nil) throws -> Fixture {
    var members: [ArchiveWriter.ZipMember] = [.file("tiny-imagenet-200/wnids.txt", Data(wnids.joined(separator: "\n").utf8))]
    var sources: [String: ([UInt8], Int)] = [:]
    func add(_ path: String, seed: Int, gray: Bool = false) {
      let side = path == smallImage ? 32 : 64
      let rgb = ImageFixtures.smoothRGB(width: side, height: side, seed: seed)
      let pixels = gray ? stride(from: 0, to: rgb.count, by: 3).map { rgb[$0] } : rgb
      var jpeg = ImageFixtures.jpeg(pixels, width: side, height: side, channels: gray ? 1 : 3)
      if path == corrupt { jpeg = jpeg.prefix(jpeg.count / 2) }
      members.append(.file("tiny-imagenet-200/" + path, jpeg))
      sources[path] = (pixels, gray ? 1 : 3)
    }
    for (c, wnid) in wnids.enumerated() {
      for k in 0..<2 { add("train/\(wnid)/images/\(wnid)_\(k).JPEG", seed: c * 10 + k, gray: wnid == "n02" && k == 1) }
      members.append(.file("tiny-imagenet-200/train/\(wnid)/\(wnid)_boxes.txt", Data("".utf8)))
    }
    var annotations = ""
    for (i, wnid) in ["n03", "n01", "n02", "n01"].enumerated() {
      add("val/images/val_\(i).JPEG", seed: 100 + i)
      annotations += "val_\(i).JPEG\t\(wnid)\t0\t0\t63\t63\n"
    }
    members.append(.file("tiny-imagenet-200/val/val_annotations.txt", Data(annotations.utf8)))
    return Fixture(zip: try ArchiveWriter.zip(members), sources: sources)
  }

  private func preparer(_ zip: Data, root: URL) throws -> (DatasetPreparer, LoopbackHTTPServer) {
    let server = try LoopbackHTTPServer(routes: ["tiny-imagenet-200.zip": .init(body: zip)])
    let descriptor = ImageFixtures.descriptor(Catalogue.tinyImageNet, accepting: ["tiny-imagenet-200.zip": zip])
    return (DatasetPreparer(descriptor: descriptor, root: root, fetcher: Fetcher(mirror: Mirror(server.baseURL), verbose: false)), server)
  }

  @Test func zipFromLoopbackMirrorDecodesWithSortedClassesAndValAsTest() throws {
    let fixture = try fixture()
    let root = try TemporaryFolder()
    let (preparer, _) = try preparer(fixture.zip, root: root.url)
    let headers = try preparer.preprocess()
    #expect(headers.map(\.count) == [6, 4])
    #expect(headers[0].classNames == ["n01", "n02", "n03"])
    let train = try DatasetPreparer.load(root: root.url, name: "tiny_imagenet", split: "train")
    #expect(train.labels == [0, 0, 1, 1, 2, 2])
    let test = try DatasetPreparer.load(root: root.url, name: "tiny_imagenet", split: "test")
    #expect(test.labels == [2, 0, 1, 0])  // annotation order, sorted-wnid indices
    #expect(test.channels == 3 && test.height == 64 && test.width == 64)

    // Decoded pixels are the encoded ones up to JPEG loss, planar.
    let source = fixture.sources["val/images/val_0.JPEG"]!.pixels
    let plane = 64 * 64
    var error = 0
    for i in 0..<plane { for c in 0..<3 { error += abs(Int(test.pixels[c * plane + i]) - Int(source[3 * i + c])) } }
    #expect(Double(error) / Double(3 * plane) < 3)
  }

  @Test func grayscaleJPEGIsExpandedToThreeEqualChannels() throws {
    let fixture = try fixture()
    let root = try TemporaryFolder()
    let (preparer, _) = try preparer(fixture.zip, root: root.url)
    try preparer.preprocess()
    let train = try DatasetPreparer.load(root: root.url, name: "tiny_imagenet", split: "train")
    let size = 3 * 64 * 64, plane = 64 * 64
    let gray = Array(train.pixels[3 * size..<4 * size])  // n02_1, the gray one
    #expect(gray[0..<plane] == gray[plane..<2 * plane] && gray[0..<plane] == gray[2 * plane..<3 * plane])
    let source = fixture.sources["train/n02/images/n02_1.JPEG"]!.pixels
    #expect(zip(gray[0..<plane], source).map { abs(Int($0) - Int($1)) }.max()! <= 4)
  }

  @Test func corruptJPEGNamesTheFileAndWritesNoCache() throws {
    let fixture = try fixture(corrupt: "train/n03/images/n03_0.JPEG")
    let root = try TemporaryFolder()
    let (preparer, _) = try preparer(fixture.zip, root: root.url)
    let error = #expect(throws: DatasetError.self) { try preparer.preprocess() }
    guard case let .jpeg(file, _) = error else { Issue.record("got \(String(describing: error))"); return }
    #expect(file.hasSuffix("tiny-imagenet-200/train/n03/images/n03_0.JPEG"))
    #expect(!FileManager.default.fileExists(atPath: root.file("tiny_imagenet/cache").path))
  }

  @Test func imageOfTheWrongSizeIsRejected() throws {
    let fixture = try fixture(smallImage: "val/images/val_2.JPEG")
    let root = try TemporaryFolder()
    let (preparer, _) = try preparer(fixture.zip, root: root.url)
    let error = #expect(throws: DatasetError.self) { try preparer.preprocess() }
    #expect(error?.description.contains("val_2.JPEG: image size is 32×32, expected 64×64") == true)
  }

  @Test func annotationWithUnknownWnidIsRejected() throws {
    let root = try TemporaryFolder()
    try root.write(Data("n01\nn02\n".utf8), to: "t/wnids.txt")
    try root.write(Data("val_0.JPEG\tn09\t0\t0\t1\t1\n".utf8), to: "t/val/val_annotations.txt")
    let error = #expect(throws: DatasetError.self) { try TinyImageNetReader.test(root: root.file("t")) }
    #expect(error == .malformed(file: root.file("t/val/val_annotations.txt").path, field: "line 1 wnid",
                                expected: "one of the 2 wnids of wnids.txt", actual: "n09"))
  }

  @Test func jpegDecoderRejectsGarbageAndCMYKWithTheFileName() throws {
    let decoder = JPEGDecoder()
    let error = #expect(throws: DatasetError.self) { try decoder.decode(Data("<html>not found</html>".utf8), file: "x.jpg") }
    guard case .jpeg("x.jpg", _) = error else { Issue.record("got \(String(describing: error))"); return }
    let rgb = ImageFixtures.jpeg(ImageFixtures.smoothRGB(width: 8, height: 8, seed: 1), width: 8, height: 8, channels: 3)
    #expect(try decoder.decode(rgb, file: "ok.jpg").pixels.count == 8 * 8 * 3)
    let cmyk = ImageFixtures.jpeg(ImageFixtures.pixels(8 * 8 * 4, seed: 2), width: 8, height: 8, channels: 4)
    let cmykError = #expect(throws: DatasetError.self) { try decoder.decode(cmyk, file: "web.jpg") }
    #expect(cmykError?.description.contains("web.jpg: JPEG decode failed: CMYK") == true)
  }
}
