import Foundation

/// Extracts `.tar.gz` / `.tgz` / `.tar` and `.zip` archives into a folder, all or nothing: the
/// members go to a staging folder that replaces `destination` only after the last member.
public enum ArchiveExtractor {
  public static func extract(_ archive: URL, into destination: URL) throws(DatasetError) {
    try createDirectory(destination.deletingLastPathComponent())
    let staging = try ExtractionStaging(archive: archive.path, destination: destination)
    let name = archive.lastPathComponent.lowercased()
    if name.hasSuffix(".zip") {
      try ZipExtractor.extract(archive, into: staging)
    } else if name.hasSuffix(".tar.gz") || name.hasSuffix(".tgz") {
      try TarExtractor.extract(try gunzipFile(archive), archive: archive.path, into: staging)
    } else if name.hasSuffix(".tar") {
      let data: Data
      do { data = try Data(contentsOf: archive) } catch {
        throw .io(path: archive.path, reason: "cannot read: \(error.localizedDescription)")
      }
      try TarExtractor.extract(data, archive: archive.path, into: staging)
    } else {
      throw .malformed(file: archive.path, field: "extension", expected: ".tar.gz, .tgz, .tar or .zip",
                       actual: archive.pathExtension)
    }
    try staging.commit()
  }
}
