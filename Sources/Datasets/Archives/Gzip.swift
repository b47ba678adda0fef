import CSystemZlib
import Foundation

/// Decompresses a complete gzip file (one or more concatenated members, as gzip(1) allows).
///
/// zlib checks each member's CRC-32 and length trailer, so a stream that stops early — a cut
/// download — is an error here, never a silently shorter result.
/// - Parameters:
///   - data: the compressed bytes.
///   - file: the name used in errors.
///   - sizeHint: the expected decompressed size, to allocate once.
/// - Throws: `.gzip` naming `file`: not gzip, corrupt (zlib's message) or truncated.
public func gunzip(_ data: Data, file: String, sizeHint: Int = 0) throws(DatasetError) -> Data {
  guard data.count >= 18, data[data.startIndex] == 0x1f, data[data.startIndex + 1] == 0x8b else {
    throw .gzip(file: file, reason: "not a gzip stream (\(data.count) bytes, no 1f 8b magic)")
  }
  var output = Data(capacity: max(sizeHint, data.count * 2))
  var stream = z_stream()
  // windowBits 15 + 16: gzip wrapper only, so a raw zlib stream is not mistaken for one.
  guard inflateInit2_(&stream, 15 + 16, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
    throw .gzip(file: file, reason: "zlib initialisation failed")
  }
  defer { inflateEnd(&stream) }
  let chunk = 1 << 20
  var buffer = [UInt8](repeating: 0, count: chunk)
  let failure: DatasetError? = data.withUnsafeBytes { (input: UnsafeRawBufferPointer) -> DatasetError? in
    stream.next_in = UnsafeMutablePointer(mutating: input.bindMemory(to: UInt8.self).baseAddress!)
    stream.avail_in = UInt32(input.count)
    while true {
      let status = buffer.withUnsafeMutableBufferPointer { out -> Int32 in
        stream.next_out = out.baseAddress
        stream.avail_out = UInt32(chunk)
        let status = inflate(&stream, Z_NO_FLUSH)
        output.append(out.baseAddress!, count: chunk - Int(stream.avail_out))
        return status
      }
      switch status {
      case Z_STREAM_END:
        // Another member may follow; anything else after a member is an error.
        guard stream.avail_in > 0 else { return nil }
        let next = stream.next_in!
        guard stream.avail_in >= 2, next[0] == 0x1f, next[1] == 0x8b else {
          return .gzip(file: file, reason: "\(stream.avail_in) bytes of garbage after the gzip stream")
        }
        inflateReset(&stream)
      case Z_OK:
        continue
      case Z_BUF_ERROR where stream.avail_in == 0:
        return .gzip(file: file, reason: "truncated: the stream ends after \(output.count) decompressed bytes, before its end marker and CRC")
      default:
        let message = stream.msg.map { String(cString: $0) } ?? "zlib error \(status)"
        return .gzip(file: file, reason: "corrupt data after \(output.count) decompressed bytes: \(message)")
      }
    }
  }
  if let failure { throw failure }
  return output
}

/// Reads and decompresses the gzip file at `url`.
public func gunzipFile(_ url: URL, sizeHint: Int = 0) throws(DatasetError) -> Data {
  let data: Data
  do { data = try Data(contentsOf: url) } catch {
    throw .io(path: url.path, reason: "cannot read: \(error.localizedDescription)")
  }
  return try gunzip(data, file: url.path, sizeHint: sizeHint)
}
