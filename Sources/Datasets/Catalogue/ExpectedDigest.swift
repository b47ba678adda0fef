/// What a file must be: any field left nil is not checked (not every source publishes every hash).
public struct ExpectedDigest: Sendable, Equatable, Codable {
  public var size: Int64?
  public var sha256: String?
  public var md5: String?
  /// Where the values come from ("CIFAR page", "Debian dataset-fashion-mnist 0.0~git20200523"),
  /// shown when a file matches none of a file's accepted variants.
  public var origin: String

  public init(size: Int64? = nil, sha256: String? = nil, md5: String? = nil, origin: String) {
    self.size = size
    self.sha256 = sha256
    self.md5 = md5
    self.origin = origin
  }

  /// True when every published field equals `actual`'s.
  public func matches(_ actual: Digest) -> Bool {
    mismatch(actual, file: "") == nil
  }

  /// The first published field that differs from `actual`, as the error to report (size first:
  /// a short file is the most common failure and the easiest to understand).
  public func mismatch(_ actual: Digest, file: String) -> DatasetError? {
    if let size, size != actual.size {
      return .sizeMismatch(file: file, expected: size, actual: actual.size)
    }
    if let sha256, sha256 != actual.sha256 {
      return .checksumMismatch(file: file, algorithm: "SHA-256", expected: sha256, actual: actual.sha256)
    }
    if let md5, md5 != actual.md5 {
      return .checksumMismatch(file: file, algorithm: "MD5", expected: md5, actual: actual.md5)
    }
    return nil
  }
}

extension [ExpectedDigest] {
  /// Throws unless `actual` matches one of the accepted variants. With one variant the error is
  /// that variant's own mismatch; with several it lists each variant's expectation.
  public func verify(_ actual: Digest, file: String) throws(DatasetError) {
    guard !contains(where: { $0.matches(actual) }) else { return }
    if count == 1, let error = self[0].mismatch(actual, file: file) { throw error }
    let expected = map { v in
      "\(v.origin): " + [v.size.map { "\($0) bytes" }, v.sha256.map { "SHA-256 \($0)" }, v.md5.map { "MD5 \($0)" }]
        .compactMap { $0 }.joined(separator: ", ")
    }.joined(separator: " | ")
    throw .checksumMismatch(file: file, algorithm: "size/SHA-256/MD5", expected: expected,
                            actual: "\(actual.size) bytes, SHA-256 \(actual.sha256), MD5 \(actual.md5)")
  }
}
