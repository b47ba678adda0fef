import Crypto
import Foundation

/// Size and hashes of a byte stream, as lowercase hex.
public struct Digest: Equatable, Sendable, Codable {
  public var size: Int64
  public var sha256: String
  public var md5: String

  /// Hashes `data` in memory.
  public init(of data: Data) {
    var hasher = DigestHasher()
    hasher.update(data)
    self = hasher.finalize()
  }

  public init(size: Int64, sha256: String, md5: String) {
    self.size = size
    self.sha256 = sha256
    self.md5 = md5
  }

  /// Hashes the file at `url` in 4 MiB reads, so multi-gigabyte archives never sit in memory.
  public init(ofFileAt url: URL) throws(DatasetError) {
    guard let handle = try? FileHandle(forReadingFrom: url) else {
      throw .io(path: url.path, reason: "cannot open for reading")
    }
    defer { try? handle.close() }
    var hasher = DigestHasher()
    while true {
      let chunk: Data?
      do { chunk = try handle.read(upToCount: 4 << 20) } catch {
        throw .io(path: url.path, reason: "read failed: \(error)")
      }
      guard let chunk, !chunk.isEmpty else { break }
      hasher.update(chunk)
    }
    self = hasher.finalize()
  }
}

/// Incremental SHA-256 + MD5 + byte count.
public struct DigestHasher {
  private var sha = SHA256()
  private var md5 = Insecure.MD5()
  private var count: Int64 = 0

  public init() {}

  public mutating func update(_ data: Data) {
    sha.update(data: data)
    md5.update(data: data)
    count += Int64(data.count)
  }

  public mutating func update(_ bytes: UnsafeRawBufferPointer) {
    sha.update(bufferPointer: bytes)
    md5.update(bufferPointer: bytes)
    count += Int64(bytes.count)
  }

  public func finalize() -> Digest {
    Digest(size: count, sha256: hex(sha.finalize()), md5: hex(md5.finalize()))
  }
}

/// SHA-256 of `bytes` as lowercase hex.
public func sha256Hex(_ bytes: UnsafeRawBufferPointer) -> String {
  hex(SHA256.hash(data: bytes))
}

/// SHA-256 of `data` as lowercase hex.
public func sha256Hex(_ data: Data) -> String {
  hex(SHA256.hash(data: data))
}

private func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
  digest.map { String(format: "%02x", $0) }.joined()
}
