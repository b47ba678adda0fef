/// Archive member paths and link targets, checked before anything touches the disk.
///
/// The rule is stricter than "does not end up outside": any `..` in a member's own path is
/// rejected, because no dataset archive needs one and a checked prefix is easy to get wrong.
enum MemberPath {
  /// The member's path as relative components (`.` and empty ones dropped).
  /// - Throws: `.unsafeMember` for an absolute path, a `..` component or an empty path.
  static func components(_ path: String, archive: String) throws(DatasetError) -> [String] {
    if path.hasPrefix("/") {
      throw .unsafeMember(archive: archive, member: path, reason: "absolute path")
    }
    let parts = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init).filter { $0 != "." }
    if parts.contains("..") {
      throw .unsafeMember(archive: archive, member: path, reason: "path contains '..'")
    }
    guard !parts.isEmpty else {
      throw .unsafeMember(archive: archive, member: path, reason: "empty path")
    }
    return parts
  }

  /// Where a link points, as components from the extraction root.
  /// - Parameters:
  ///   - target: the link's target as stored.
  ///   - base: components of the folder the target is relative to (the link's own folder for a
  ///     symbolic link, the archive root for a tar hard link).
  /// - Throws: `.unsafeMember` when the target is absolute or climbs above the root.
  static func linkTarget(_ target: String, relativeTo base: [String], member: String,
                         archive: String) throws(DatasetError) -> [String] {
    if target.hasPrefix("/") {
      throw .unsafeMember(archive: archive, member: member, reason: "link to the absolute path '\(target)'")
    }
    var resolved = base
    for part in target.split(separator: "/", omittingEmptySubsequences: true) where part != "." {
      if part == ".." {
        guard !resolved.isEmpty else {
          throw .unsafeMember(archive: archive, member: member,
                              reason: "link target '\(target)' leaves the extraction folder")
        }
        resolved.removeLast()
      } else {
        resolved.append(String(part))
      }
    }
    return resolved
  }
}
