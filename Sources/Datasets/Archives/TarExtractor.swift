import Foundation

/// Extracts a POSIX (ustar / pax / GNU long-name) tar image held in memory.
///
/// Layout: 512-byte headers, each followed by its data padded to 512 bytes; the archive ends with
/// zero blocks. Regular files, folders and links (checked by `MemberPath`) are extracted; device
/// files and FIFOs are rejected. A member whose data runs past the end, a bad header checksum or a
/// missing end marker is a truncated or corrupt archive.
enum TarExtractor {
  static func extract(_ tar: Data, archive: String, into staging: ExtractionStaging) throws(DatasetError) {
    try tar.withBytes { (raw: UnsafeRawBufferPointer) throws(DatasetError) in
      let bytes = raw.bindMemory(to: UInt8.self)
      var offset = 0
      var longName: String?  // from a GNU 'L' or pax 'x' record, applies to the next member
      var sawEnd = false
      while offset + 512 <= bytes.count {
        let header = UnsafeBufferPointer(rebasing: bytes[offset..<offset + 512])
        if header.allSatisfy({ $0 == 0 }) { sawEnd = true; break }
        let fallback = "header at byte \(offset)"
        try verifyChecksum(header, archive: archive, member: fallback)
        let type = header[156]
        let size = try octal(header[124..<136], archive: archive, member: fallback, field: "size")
        let dataStart = offset + 512
        guard size >= 0, dataStart + size <= bytes.count else {
          throw .corruptArchive(archive: archive, member: longName ?? name(header),
                                reason: "truncated: member needs \(size) bytes at offset \(dataStart), archive has \(bytes.count)")
        }
        let body = UnsafeBufferPointer(rebasing: bytes[dataStart..<dataStart + size])
        offset = dataStart + (size + 511) / 512 * 512
        var path = longName ?? name(header)
        longName = nil
        switch type {
        case UInt8(ascii: "L"):
          longName = String(decoding: body.prefix { $0 != 0 }, as: UTF8.self)
          continue
        case UInt8(ascii: "x"):
          longName = paxPath(body)
          continue
        case UInt8(ascii: "g"):
          continue  // global pax header: metadata for every member, nothing to extract
        default:
          break
        }
        if path.isEmpty { path = fallback }
        let components = try MemberPath.components(path, archive: archive)
        switch type {
        case 0, UInt8(ascii: "0"), UInt8(ascii: "7"):
          let handle = try staging.createFile(components, member: path)
          do {
            try handle.write(contentsOf: Data(body))
            try handle.close()
          } catch {
            throw .io(path: path, reason: "write failed: \(error)")
          }
        case UInt8(ascii: "5"):
          try staging.directory(components, member: path)
        case UInt8(ascii: "2"):
          let target = field(header[157..<257])
          _ = try MemberPath.linkTarget(target, relativeTo: Array(components.dropLast()), member: path, archive: archive)
          try staging.symlink(components, target: target, member: path)
        case UInt8(ascii: "1"):
          let target = field(header[157..<257])
          let resolved = try MemberPath.linkTarget(target, relativeTo: [], member: path, archive: archive)
          try staging.hardLink(components, to: resolved, member: path)
        default:
          throw .unsafeMember(archive: archive, member: path,
                              reason: "unsupported member type '\(Character(UnicodeScalar(type)))' (device, FIFO or unknown)")
        }
      }
      guard sawEnd else {
        throw .corruptArchive(archive: archive, member: nil,
                              reason: "truncated: no end-of-archive block after \(offset) bytes")
      }
    }
  }

  /// ustar: `prefix/name` when the prefix field (offset 345) is set.
  private static func name(_ header: UnsafeBufferPointer<UInt8>) -> String {
    let base = field(header[0..<100])
    let isUstar = field(header[257..<262]) == "ustar"
    let prefix = isUstar ? field(header[345..<500]) : ""
    return prefix.isEmpty ? base : prefix + "/" + base
  }

  private static func field(_ slice: Slice<UnsafeBufferPointer<UInt8>>) -> String {
    String(decoding: slice.prefix { $0 != 0 }, as: UTF8.self)
  }

  /// A numeric field: octal digits, optionally padded with spaces or NULs.
  private static func octal(_ slice: Slice<UnsafeBufferPointer<UInt8>>, archive: String, member: String,
                            field name: String) throws(DatasetError) -> Int {
    let text = String(decoding: slice.prefix { $0 != 0 }, as: UTF8.self).trimmingCharacters(in: .whitespaces)
    guard let value = Int(text.isEmpty ? "0" : text, radix: 8) else {
      throw .corruptArchive(archive: archive, member: member, reason: "header field \(name) is '\(text)', expected octal digits")
    }
    return value
  }

  /// The sum of the header's bytes with the checksum field counted as spaces.
  private static func verifyChecksum(_ header: UnsafeBufferPointer<UInt8>, archive: String,
                                     member: String) throws(DatasetError) {
    let stored = try octal(header[148..<156], archive: archive, member: member, field: "checksum")
    var sum = 0
    for (i, byte) in header.enumerated() { sum += (148..<156).contains(i) ? 32 : Int(byte) }
    guard stored == sum else {
      throw .corruptArchive(archive: archive, member: member,
                            reason: "header checksum is \(stored), computed \(sum) (corrupt or not a tar file)")
    }
  }

  /// The `path=` record of a pax extended header (`<length> path=<value>\n` lines).
  private static func paxPath(_ body: UnsafeBufferPointer<UInt8>) -> String? {
    let text = String(decoding: body, as: UTF8.self)
    for line in text.split(separator: "\n") {
      guard let space = line.firstIndex(of: " ") else { continue }
      let record = line[line.index(after: space)...]
      if record.hasPrefix("path=") { return String(record.dropFirst(5)) }
    }
    return nil
  }
}
