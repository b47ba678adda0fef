import Foundation
import ZIPFoundation

/// Extracts a zip archive through ZIPFoundation, writing each member itself (rather than with
/// `Archive.extract(_:to:)`) so that every path goes through `MemberPath` and `ExtractionStaging`.
/// ZIPFoundation checks each member's CRC-32 while reading, so corrupt data is an error.
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
        do {
          _ = try archive.extract(entry, skipCRC32: false) { chunk in try handle.write(contentsOf: chunk) }
          try handle.close()
        } catch {
          try? handle.close()
          throw .corruptArchive(archive: name, member: path, reason: "cannot read member: \(error)")
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
