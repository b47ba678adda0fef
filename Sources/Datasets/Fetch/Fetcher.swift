import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Brings a dataset's files into its `downloads/` folder, verified.
///
/// Per file: an existing verified copy is kept; otherwise each source (the mirror's, or the
/// canonical ones in order) is transferred into `<name>.part`, resuming what an earlier attempt
/// left, and the result is hashed. Only a file matching an accepted digest is renamed to its
/// final name; a mismatch deletes the partial file, so nothing unverified ever carries the name.
public struct Fetcher: Sendable {
  public var mirror: Mirror?
  /// Progress bars and one-line notes on stderr.
  public var verbose: Bool

  public init(mirror: Mirror?, verbose: Bool = true) {
    self.mirror = mirror
    self.verbose = verbose
  }

  /// The URLs `file` will be fetched from, in order.
  public func sources(for file: DatasetFile) -> [URL] {
    if let mirror { return [mirror.url(for: file.name)] }
    return file.urls.compactMap { URL(string: $0) }
  }

  /// Fetches every file of `descriptor` into `layout.downloads`.
  /// - Returns: the verified files, in catalogue order.
  @discardableResult
  public func fetch(_ descriptor: DatasetDescriptor, layout: DatasetLayout) throws(DatasetError) -> [URL] {
    guard !descriptor.files.isEmpty else {
      throw .notProvided(dataset: descriptor.name, root: layout.folder.path,
                         instructions: FaceScrubInstructions.text(layout: layout))
    }
    try createDirectory(layout.downloads)
    var result: [URL] = []
    for file in descriptor.files { result.append(try fetch(file, to: layout.download(file))) }
    return result
  }

  /// Fetches `file` to `destination` (see the type's description).
  @discardableResult
  public func fetch(_ file: DatasetFile, to destination: URL) throws(DatasetError) -> URL {
    if fileSize(destination) != nil {
      if (try? Fetcher.verify(file, at: destination)) != nil { return destination }
      note("\(destination.path) does not verify; fetching it again")
      removeIfPresent(destination)
    }
    let partial = destination.deletingLastPathComponent().appendingPathComponent(file.name + ".part")
    let largest = file.accepted.compactMap(\.size).max()
    var attempts: [String] = []
    for source in sources(for: file) {
      do {
        try transfer(source, into: partial, label: file.name, expected: largest)
      } catch {
        attempts.append(error.description)
        continue
      }
      let digest: Digest
      do { digest = try Fetcher.check(file, at: partial, reportedAs: file.name) } catch {
        removeIfPresent(partial)
        throw error
      }
      try syncAndRename(partial, to: destination)
      note("\(file.name): verified (SHA-256 \(digest.sha256))")
      return destination
    }
    // Keep a partial file only if it holds something to resume from.
    if fileSize(partial) == 0 { removeIfPresent(partial) }
    throw .fetchFailed(file: file.name, attempts: attempts)
  }

  /// Hashes the file at `url` and checks it against `file`'s accepted digests.
  @discardableResult
  public static func verify(_ file: DatasetFile, at url: URL) throws(DatasetError) -> Digest {
    try check(file, at: url, reportedAs: url.path)
  }

  private static func check(_ file: DatasetFile, at url: URL, reportedAs name: String) throws(DatasetError) -> Digest {
    let digest = try Digest(ofFileAt: url)
    try file.accepted.verify(digest, file: name)
    return digest
  }

  /// One source into `partial`, resuming from its current size; drops a partial that is already
  /// larger than any accepted size (it cannot be a prefix of the file).
  private func transfer(_ source: URL, into partial: URL, label: String, expected: Int64?) throws(DatasetError) {
    var offset = fileSize(partial) ?? 0
    if let expected, offset > expected { offset = 0 }
    if offset == 0 {
      guard FileManager.default.createFile(atPath: partial.path, contents: nil) else {
        throw .io(path: partial.path, reason: "cannot create")
      }
    } else {
      note("\(label): resuming at \(offset) bytes from \(source.absoluteString)")
    }
    let progress = TransferProgress(label: label, total: expected, startOffset: offset, enabled: verbose)
    switch source.scheme?.lowercased() {
    case "file":
      _ = try fileTransfer(from: source, appendingTo: partial, offset: offset, progress: progress)
    case "http", "https":
      _ = try httpTransfer(from: source, appendingTo: partial, offset: offset, progress: progress)
    default:
      throw .transfer(source: source.absoluteString, reason: "unsupported URL scheme (http, https, file or a folder)")
    }
  }

  /// fsync then rename, so the final name never points at unwritten blocks after a crash.
  private func syncAndRename(_ partial: URL, to destination: URL) throws(DatasetError) {
    if let handle = try? FileHandle(forUpdating: partial) {
      try? handle.synchronize()
      try? handle.close()
    }
    guard rename(partial.path, destination.path) == 0 else {
      throw .io(path: destination.path, reason: "rename from \(partial.lastPathComponent) failed: \(String(cString: strerror(errno)))")
    }
  }

  private func note(_ text: String) {
    if verbose { FileHandle.standardError.write(Data((text + "\n").utf8)) }
  }
}

/// Deletes `url` if something is there; absence is not an error.
func removeIfPresent(_ url: URL) {
  try? FileManager.default.removeItem(at: url)
}
