import Datasets
import Foundation
import Testing

/// Fetching over a loopback HTTP server and from local files: the code path a real
/// `mfd data fetch` takes, with the test's own file and checksums.
@Suite struct FetchTests {
  private let payload = Data(ImageFixtures.pixels(300_000, seed: 7))

  private func file(named name: String = "archive.tar.gz", urls: [String] = []) -> DatasetFile {
    let digest = Digest(of: payload)
    return DatasetFile(name: name, urls: urls, accepted: [ExpectedDigest(size: digest.size, sha256: digest.sha256,
                                                                         md5: digest.md5, origin: "test")])
  }

  @Test func fetchFromLoopbackMirrorVerifiesAndRenamesIntoPlace() throws {
    let server = try LoopbackHTTPServer(routes: ["archive.tar.gz": .init(body: payload)])
    let folder = try TemporaryFolder()
    let fetcher = Fetcher(mirror: Mirror(server.baseURL), verbose: false)
    let result = try fetcher.fetch(file(), to: folder.file("archive.tar.gz"))
    #expect(try Data(contentsOf: result) == payload)
    #expect(folder.listing() == ["archive.tar.gz"])
    #expect(server.requests.first?.acceptEncoding == "identity")  // bytes as stored, never decoded
    // A second fetch finds the verified copy and asks the server nothing.
    try fetcher.fetch(file(), to: folder.file("archive.tar.gz"))
    #expect(server.requests.count == 1)
  }

  @Test func cutDownloadResumesWithARangeRequest() throws {
    let cut = 120_000
    let server = try LoopbackHTTPServer(routes: ["archive.tar.gz": .init(body: payload, cutFirstResponseAfter: cut)])
    let folder = try TemporaryFolder()
    let fetcher = Fetcher(mirror: Mirror(server.baseURL), verbose: false)
    #expect(throws: DatasetError.self) { try fetcher.fetch(file(), to: folder.file("archive.tar.gz")) }
    // Only the partial file is left, never the final name, and it holds what arrived.
    #expect(folder.listing() == ["archive.tar.gz.part"])
    #expect(try Data(contentsOf: folder.file("archive.tar.gz.part")) == payload.prefix(cut))

    try fetcher.fetch(file(), to: folder.file("archive.tar.gz"))
    #expect(try Data(contentsOf: folder.file("archive.tar.gz")) == payload)
    #expect(folder.listing() == ["archive.tar.gz"])
    #expect(server.requests.map(\.range) == [nil, "bytes=\(cut)-"])
  }

  @Test func serverIgnoringRangesRestartsFromTheBeginning() throws {
    let server = try LoopbackHTTPServer(routes: ["archive.tar.gz": .init(body: payload, ignoresRange: true)])
    let folder = try TemporaryFolder()
    try folder.write(payload.prefix(5_000), to: "archive.tar.gz.part")
    try Fetcher(mirror: Mirror(server.baseURL), verbose: false).fetch(file(), to: folder.file("archive.tar.gz"))
    #expect(try Data(contentsOf: folder.file("archive.tar.gz")) == payload)
  }

  @Test func completePartialFileIsVerifiedAfterA416() throws {
    // A run killed between the last byte and the rename: the server has nothing past the end.
    let server = try LoopbackHTTPServer(routes: ["archive.tar.gz": .init(body: payload)])
    let folder = try TemporaryFolder()
    try folder.write(payload, to: "archive.tar.gz.part")
    try Fetcher(mirror: Mirror(server.baseURL), verbose: false).fetch(file(), to: folder.file("archive.tar.gz"))
    #expect(try Data(contentsOf: folder.file("archive.tar.gz")) == payload)
    #expect(server.requests.map(\.range) == ["bytes=\(payload.count)-"])
    #expect(folder.listing() == ["archive.tar.gz"])
  }

  @Test func checksumMismatchKeepsNothingAndNamesFileExpectedAndActual() throws {
    var corrupt = payload
    corrupt[1_000] ^= 0xFF
    let server = try LoopbackHTTPServer(routes: ["archive.tar.gz": .init(body: corrupt)])
    let folder = try TemporaryFolder()
    let error = #expect(throws: DatasetError.self) {
      try Fetcher(mirror: Mirror(server.baseURL), verbose: false).fetch(file(), to: folder.file("archive.tar.gz"))
    }
    #expect(error == .checksumMismatch(file: "archive.tar.gz", algorithm: "SHA-256", expected: Digest(of: payload).sha256,
                                       actual: Digest(of: corrupt).sha256))
    #expect(error?.description.contains("archive.tar.gz") == true)
    #expect(folder.listing().isEmpty)
  }

  @Test func wrongSizeIsReportedBeforeHashes() throws {
    let server = try LoopbackHTTPServer(routes: ["archive.tar.gz": .init(body: payload.prefix(100))])
    let folder = try TemporaryFolder()
    let error = #expect(throws: DatasetError.self) {
      try Fetcher(mirror: Mirror(server.baseURL), verbose: false).fetch(file(), to: folder.file("archive.tar.gz"))
    }
    #expect(error == .sizeMismatch(file: "archive.tar.gz", expected: Int64(payload.count), actual: 100))
    #expect(folder.listing().isEmpty)
  }

  @Test func missingFileOnEverySourceListsEachAttempt() throws {
    let server = try LoopbackHTTPServer(routes: [:])
    let folder = try TemporaryFolder()
    let sources = [server.baseURL + "a/archive.tar.gz", "file://" + folder.file("nowhere/archive.tar.gz").path]
    let error = #expect(throws: DatasetError.self) {
      try Fetcher(mirror: nil, verbose: false).fetch(file(urls: sources), to: folder.file("archive.tar.gz"))
    }
    guard case let .fetchFailed(name, attempts) = error else { Issue.record("got \(String(describing: error))"); return }
    #expect(name == "archive.tar.gz")
    #expect(attempts.count == 2)
    #expect(attempts[0].contains("HTTP 404") && attempts[0].contains(sources[0]))
    #expect(attempts[1].contains("nowhere/archive.tar.gz"))
    #expect(folder.listing().isEmpty)  // not even an empty .part
  }

  @Test func canonicalSourcesAreTriedInOrderUntilOneWorks() throws {
    let server = try LoopbackHTTPServer(routes: ["good/archive.tar.gz": .init(body: payload)])
    let folder = try TemporaryFolder()
    let urls = [server.baseURL + "bad/archive.tar.gz", server.baseURL + "good/archive.tar.gz"]
    try Fetcher(mirror: nil, verbose: false).fetch(file(urls: urls), to: folder.file("archive.tar.gz"))
    #expect(try Data(contentsOf: folder.file("archive.tar.gz")) == payload)
  }

  @Test func plainFolderAndFileURLMirrorsWorkAndResume() throws {
    let source = try TemporaryFolder()
    try source.write(payload, to: "archive.tar.gz")
    for spec in [source.url.path, "file://" + source.url.path] {
      let folder = try TemporaryFolder()
      try folder.write(payload.prefix(70_000), to: "archive.tar.gz.part")  // an earlier, cut copy
      try Fetcher(mirror: Mirror(spec), verbose: false).fetch(file(), to: folder.file("archive.tar.gz"))
      #expect(try Data(contentsOf: folder.file("archive.tar.gz")) == payload)
      #expect(folder.listing() == ["archive.tar.gz"])
    }
  }

  @Test func existingFileThatNoLongerVerifiesIsFetchedAgain() throws {
    let server = try LoopbackHTTPServer(routes: ["archive.tar.gz": .init(body: payload)])
    let folder = try TemporaryFolder()
    try folder.write(Data("stale".utf8), to: "archive.tar.gz")
    try Fetcher(mirror: Mirror(server.baseURL), verbose: false).fetch(file(), to: folder.file("archive.tar.gz"))
    #expect(try Data(contentsOf: folder.file("archive.tar.gz")) == payload)
  }

  @Test func mirrorComesFromTheArgumentThenTheEnvironment() {
    let environment = [Mirror.environmentVariable: "https://mirror.example/data"]
    #expect(Mirror.resolve(explicit: "/srv/datasets", environment: environment)?.base.path == "/srv/datasets")
    #expect(Mirror.resolve(explicit: nil, environment: environment)?.url(for: "x.zip").absoluteString
      == "https://mirror.example/data/x.zip")
    #expect(Mirror.resolve(explicit: nil, environment: [:]) == nil)
    #expect(Mirror("relative/folder").base.isFileURL)
  }

  @Test func progressLineShowsPercentRateAndETA() {
    let line = TransferProgress.line(label: "f.tar.gz", bytes: 50_000_000, total: 100_000_000, newBytes: 40_000_000, seconds: 4)
    #expect(line == "f.tar.gz   50.0% 50.0/100.0 MB  10.0 MB/s  ETA 0:05")
  }
}
