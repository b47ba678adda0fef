import Foundation

/// Where one dataset lives under the data root:
/// `<root>/<name>/downloads/` (verified source files), `<root>/<name>/extracted/` (archive
/// contents) and `<root>/<name>/cache/<split>.mfdsplit` (the preprocessed uint8 splits).
public struct DatasetLayout: Sendable {
  public let root: URL
  public let name: String

  public init(root: URL, name: String) {
    self.root = root
    self.name = name
  }

  public var folder: URL { root.appendingPathComponent(name, isDirectory: true) }
  public var downloads: URL { folder.appendingPathComponent("downloads", isDirectory: true) }
  public var extracted: URL { folder.appendingPathComponent("extracted", isDirectory: true) }
  public var cache: URL { folder.appendingPathComponent("cache", isDirectory: true) }

  public func download(_ file: DatasetFile) -> URL { downloads.appendingPathComponent(file.name) }
  public func cacheFile(split: String) -> URL { cache.appendingPathComponent("\(split).mfdsplit") }
}

/// Creates `url` and its parents if missing.
func createDirectory(_ url: URL) throws(DatasetError) {
  do { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) } catch {
    throw .io(path: url.path, reason: "cannot create folder: \(error.localizedDescription)")
  }
}

/// The size of the file at `url`, or nil when there is none.
func fileSize(_ url: URL) -> Int64? {
  guard let attributes = try? FileManager.default.attributesOfItem(atPath: url.path),
        let type = attributes[.type] as? FileAttributeType, type == .typeRegular else { return nil }
  return (attributes[.size] as? NSNumber)?.int64Value
}
