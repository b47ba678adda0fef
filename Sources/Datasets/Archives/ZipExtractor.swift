import Foundation
import ZIPFoundation

/// Extracts a zip archive through ZIPFoundation, writing each member itself (rather than with
/// `Archive.extract(_:to:)`) so that every path goes through `MemberPath` and `ExtractionStaging`.
/// The CRC-32 of each member is compared with the directory's here: ZIPFoundation's consumer-based
/// `extract` computes it but, unlike its URL-based one, does not compare it.
enum ZipExtractor {
  static func extract(_ url: URL, into staging: ExtractionStaging) throws(DatasetError) {
    let name = url.path
    let archive: Archive
    do { archive = try Archive(url: url, accessMode: .read) } catch {
      throw .corruptArchive(archive: name, member: nil, reason: "not a readable zip (truncated or corrupt): \(error)")
    }
    for entry in archive {
      let path = entry.path
      let components = try MemberPath.components(path, archive: name)
      switch entry.type {
      case .directory:
        try staging.directory(components, member: path)
      case .file:
        let handle = try staging.createFile(components, member: path)
        let crc: CRC32
        do {
          crc = try archive.extract(entry, skipCRC32: false) { chunk in try handle.write(contentsOf: chunk) }
          try handle.close()
        } catch {
          try? handle.close()
          throw .corruptArchive(archive: name, member: path, reason: "cannot read member: \(error)")
        }
        guard crc == entry.checksum else {
          throw .corruptArchive(archive: name, member: path,
                                reason: "CRC-32 is \(String(crc, radix: 16)), the directory says \(String(entry.checksum, radix: 16))")
        }
      case .symlink:
        var target = Data()
        do { _ = try archive.extract(entry, skipCRC32: false) { target.append($0) } } catch {
          throw .corruptArchive(archive: name, member: path, reason: "cannot read link target: \(error)")
        }
        let text = String(decoding: target, as: UTF8.self)
        _ = try MemberPath.linkTarget(text, relativeTo: Array(components.dropLast()), member: path, archive: name)
        try staging.symlink(components, target: text, member: path)
      }
    }
  }
}
