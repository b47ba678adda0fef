import Foundation

/// Takes one catalogue dataset from its sources to verified split caches:
/// fetch (verified) → extract (all or nothing) → decode → `<root>/<name>/cache/{train,test}.mfdsplit`.
public struct DatasetPreparer {
  public let descriptor: DatasetDescriptor
  public let layout: DatasetLayout
  public var fetcher: Fetcher
  /// FaceScrub only: the folder of identity sub-folders (default `<root>/facescrub/images`).
  public var faceScrubFolder: URL?
  /// FaceScrub only: the split seed, recorded in the cache.
  public var splitSeed: UInt64 = 0

  public static let splits = ["train", "test"]

  public init(descriptor: DatasetDescriptor, root: URL, fetcher: Fetcher) {
    self.descriptor = descriptor
    self.layout = DatasetLayout(root: root, name: descriptor.name)
    self.fetcher = fetcher
  }

  /// Fetches, decodes and writes both split caches. Caches that verify and were made from the
  /// same source files (by SHA-256) are kept as they are unless `force` is set; FaceScrub is
  /// always rebuilt, since its split depends on the seed and the folder.
  /// - Returns: the headers, train first.
  @discardableResult
  public func preprocess(force: Bool = false) throws(DatasetError) -> [SplitCache.Header] {
    let train: ImageSet, test: ImageSet, provenance: [String: String]
    if descriptor.format == .faceScrubFolder {
      (train, test, provenance) = try faceScrub()
    } else {
      let files = try fetcher.fetch(descriptor, layout: layout)
      var sources: [String: String] = [:]
      for (file, url) in zip(descriptor.files, files) {
        sources["source:\(file.name)"] = try Digest(ofFileAt: url).sha256
      }
      if !force, let headers = upToDateCaches(sources: sources) { return headers }
      (train, test, provenance) = try decode(files, provenance: sources)
    }
    var headers: [SplitCache.Header] = []
    for (split, images) in [("train", train), ("test", test)] {
      try checkShape(images, split: split)
      headers.append(try SplitCache.write(images, dataset: descriptor.name, split: split, provenance: provenance,
                                          to: layout.cacheFile(split: split)))
    }
    return headers
  }

  /// Loads one preprocessed split, verifying its checksum.
  public static func load(root: URL, name: String, split: String) throws(DatasetError) -> ImageSet {
    try SplitCache.load(DatasetLayout(root: root, name: name).cacheFile(split: split)).images
  }

  /// The existing caches' headers when both verify and record exactly these source digests.
  private func upToDateCaches(sources: [String: String]) -> [SplitCache.Header]? {
    var headers: [SplitCache.Header] = []
    for split in Self.splits {
      guard let (header, _) = try? SplitCache.load(layout.cacheFile(split: split)),
            sources.allSatisfy({ header.provenance[$0.key] == $0.value }) else { return nil }
      headers.append(header)
    }
    return headers
  }

  /// Both splits decoded from the verified downloads `files` (catalogue order).
  func decode(_ files: [URL], provenance sources: [String: String]) throws(DatasetError) -> (ImageSet, ImageSet, [String: String]) {
    var provenance = sources
    switch descriptor.format {
    case .cifar10Binary:
      let folder = try extracted(files[0]).appendingPathComponent("cifar-10-batches-bin")
      let names = try CIFARReader.classNames(folder.appendingPathComponent("batches.meta.txt"), expectedCount: 10)
      guard names == descriptor.classNames else {
        throw .malformed(file: folder.appendingPathComponent("batches.meta.txt").path, field: "class names",
                         expected: descriptor.classNames!.joined(separator: ","), actual: names.joined(separator: ","))
      }
      let train = try CIFARReader.read((1...5).map { folder.appendingPathComponent("data_batch_\($0).bin") },
                                       variant: .cifar10, classNames: names)
      let test = try CIFARReader.read([folder.appendingPathComponent("test_batch.bin")], variant: .cifar10, classNames: names)
      return (train, test, provenance)
    case .cifar100Binary:
      let folder = try extracted(files[0]).appendingPathComponent("cifar-100-binary")
      let fine = try CIFARReader.classNames(folder.appendingPathComponent("fine_label_names.txt"), expectedCount: 100)
      let coarse = try CIFARReader.classNames(folder.appendingPathComponent("coarse_label_names.txt"), expectedCount: 20)
      let read = { (name: String) throws(DatasetError) in
        try CIFARReader.read([folder.appendingPathComponent(name)], variant: .cifar100, classNames: fine, coarseClassNames: coarse)
      }
      return (try read("train.bin"), try read("test.bin"), provenance)
    case .tinyImageNetZip:
      let folder = try extracted(files[0]).appendingPathComponent("tiny-imagenet-200")
      provenance["class_index"] = "position in the sorted wnids of wnids.txt"
      provenance["test_split"] = "val/ labelled by val/val_annotations.txt"
      return (try TinyImageNetReader.train(root: folder), try TinyImageNetReader.test(root: folder), provenance)
    case .fashionMNISTIDX:
      var contents: [Data] = []
      for (file, url) in zip(descriptor.files, files) {
        let data = try IDXReader.contents(of: url, sizeHint: Int(file.content?.size ?? 0))
        if let content = file.content { try [content].verify(Digest(of: data), file: url.path + " (decompressed)") }
        contents.append(data)
      }
      let names = descriptor.classNames!
      let train = try IDXReader.read(images: contents[0], imagesName: files[0].path, labels: contents[1],
                                     labelsName: files[1].path, classNames: names)
      let test = try IDXReader.read(images: contents[2], imagesName: files[2].path, labels: contents[3],
                                    labelsName: files[3].path, classNames: names)
      return (train, test, provenance)
    case .faceScrubFolder:
      preconditionFailure("FaceScrub has no downloads; preprocess() reads its folder")
    }
  }

  /// The archive's extracted folder, re-extracted unless it was made from exactly this archive
  /// (recorded by SHA-256 in `<name>/extracted.source`).
  private func extracted(_ archive: URL) throws(DatasetError) -> URL {
    let marker = layout.folder.appendingPathComponent("extracted.source")
    let digest = try Digest(ofFileAt: archive).sha256
    if (try? String(contentsOf: marker, encoding: .utf8)) == digest,
       FileManager.default.fileExists(atPath: layout.extracted.path) {
      return layout.extracted
    }
    removeIfPresent(marker)
    try ArchiveExtractor.extract(archive, into: layout.extracted)
    try writeAtomically([Data(digest.utf8)], to: marker)
    return layout.extracted
  }

  private func faceScrub() throws(DatasetError) -> (ImageSet, ImageSet, [String: String]) {
    let folder = faceScrubFolder ?? layout.folder.appendingPathComponent("images", isDirectory: true)
    guard FileManager.default.fileExists(atPath: folder.path) else {
      throw .notProvided(dataset: descriptor.name, root: folder.path, instructions: FaceScrubInstructions.text(folder: folder.path))
    }
    let result = try FaceScrubReader.read(folder: folder, seed: splitSeed, classLimit: descriptor.classCount)
    // Loud on purpose: this is not the paper's data and every report must say so.
    FileHandle.standardError.write(Data("\n*** \(result.deviation) ***\n\n".utf8))
    let table = Data(result.splitTable.utf8)
    let tableURL = layout.cache.appendingPathComponent("split.tsv")
    try createDirectory(layout.cache)
    try writeAtomically([table], to: tableURL)
    let provenance = ["source_folder": folder.path, "split_seed": "\(splitSeed)", "split_table": tableURL.path,
                      "split_table_sha256": sha256Hex(table), "deviation": result.deviation]
    return (result.train, result.test, provenance)
  }

  /// The decoded shape must be the catalogue's (a wrong archive that passed no checksum, e.g. a
  /// mirror without published hashes, is caught here).
  private func checkShape(_ images: ImageSet, split: String) throws(DatasetError) {
    let got = "\(images.channels)×\(images.height)×\(images.width)"
    let want = "\(descriptor.channels)×\(descriptor.height)×\(descriptor.width)"
    guard got == want else {
      throw .malformed(file: layout.cacheFile(split: split).path, field: "image shape", expected: want, actual: got)
    }
  }
}
