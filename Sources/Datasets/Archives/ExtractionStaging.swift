import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A private folder that archive members are written into, renamed over the destination only
/// when every member was read and checked: an archive that fails half-way leaves nothing behind.
///
/// Members are written only at checked relative paths, and never through a symbolic link that an
/// earlier member created (a link pointing inside the folder is kept as a link, but nothing is
/// written beneath it), so no member can reach outside the folder.
final class ExtractionStaging {
  let archive: String
  let destination: URL
  let folder: URL
  private var committed = false

  init(archive: String, destination: URL) throws(DatasetError) {
    self.archive = archive
    self.destination = destination
    folder = destination.deletingLastPathComponent()
      .appendingPathComponent(".\(destination.lastPathComponent).staging-\(getpid())", isDirectory: true)
    removeIfPresent(folder)
    try createDirectory(folder)
  }

  deinit {
    if !committed { removeIfPresent(folder) }
  }

  func directory(_ components: [String], member: String) throws(DatasetError) {
    try ensureParents(components + ["x"], member: member)
  }

  /// Creates (or replaces) a regular file and returns a handle to write it.
  func createFile(_ components: [String], member: String) throws(DatasetError) -> FileHandle {
    try ensureParents(components, member: member)
    let path = url(components).path
    try refuseLink(at: path, member: member)
    guard FileManager.default.createFile(atPath: path, contents: nil),
          let handle = FileHandle(forWritingAtPath: path) else {
      throw .io(path: path, reason: "cannot create extracted file for member '\(member)'")
    }
    return handle
  }

  /// A symbolic link whose target was already checked to stay inside the folder.
  func symlink(_ components: [String], target: String, member: String) throws(DatasetError) {
    try ensureParents(components, member: member)
    let path = url(components).path
    removeIfPresent(URL(fileURLWithPath: path))
    guard Glibc.symlink(target, path) == 0 else {
      throw .io(path: path, reason: "symlink for member '\(member)' failed: \(String(cString: strerror(errno)))")
    }
  }

  /// A hard link to an earlier member (tar), made as a copy so the two stay independent files.
  func hardLink(_ components: [String], to target: [String], member: String) throws(DatasetError) {
    let source = url(target).path
    var info = stat()
    guard lstat(source, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
      throw .corruptArchive(archive: archive, member: member,
                            reason: "hard link to '\(target.joined(separator: "/"))', which is not an earlier regular file")
    }
    try ensureParents(components, member: member)
    let path = url(components).path
    try refuseLink(at: path, member: member)
    removeIfPresent(URL(fileURLWithPath: path))
    guard link(source, path) == 0 else {
      throw .io(path: path, reason: "hard link for member '\(member)' failed: \(String(cString: strerror(errno)))")
    }
  }

  /// Replaces `destination` with the staged folder.
  func commit() throws(DatasetError) {
    removeIfPresent(destination)
    guard rename(folder.path, destination.path) == 0 else {
      throw .io(path: destination.path, reason: "rename of the extracted folder failed: \(String(cString: strerror(errno)))")
    }
    committed = true
  }

  private func url(_ components: [String]) -> URL {
    components.reduce(folder) { $0.appendingPathComponent($1) }
  }

  /// Creates the folders above `components`, refusing to pass through a symbolic link or file.
  private func ensureParents(_ components: [String], member: String) throws(DatasetError) {
    var current = folder
    for part in components.dropLast() {
      current.appendPathComponent(part)
      var info = stat()
      if lstat(current.path, &info) == 0 {
        let type = info.st_mode & S_IFMT
        if type == S_IFLNK {
          throw .unsafeMember(archive: archive, member: member,
                              reason: "would be written through the symbolic link '\(part)'")
        }
        guard type == S_IFDIR else {
          throw .corruptArchive(archive: archive, member: member, reason: "'\(part)' is a file, not a folder")
        }
      } else {
        guard mkdir(current.path, 0o755) == 0 else {
          throw .io(path: current.path, reason: "mkdir failed: \(String(cString: strerror(errno)))")
        }
      }
    }
  }

  private func refuseLink(at path: String, member: String) throws(DatasetError) {
    var info = stat()
    if lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFLNK {
      throw .unsafeMember(archive: archive, member: member, reason: "would overwrite through a symbolic link")
    }
  }
}
