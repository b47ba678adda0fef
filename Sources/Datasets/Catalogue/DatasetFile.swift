/// One file a dataset is built from, with where to get it and how to recognise it.
public struct DatasetFile: Sendable, Equatable {
  /// Name under the dataset's `downloads/` folder; also the name a mirror must serve it under.
  public var name: String
  /// Canonical sources, tried in order (a mirror replaces them all).
  public var urls: [String]
  /// The downloaded bytes must match one of these. Several when re-packaged copies are equally
  /// good: Debian re-gzipped Fashion-MNIST, changing the `.gz` hashes but not the content.
  public var accepted: [ExpectedDigest]
  /// For a single gzip-compressed file: what the decompressed bytes must be. This is the check that
  /// holds across re-compressions.
  public var content: ExpectedDigest?

  public init(name: String, urls: [String], accepted: [ExpectedDigest], content: ExpectedDigest? = nil) {
    self.name = name
    self.urls = urls
    self.accepted = accepted
    self.content = content
  }
}
