import Foundation

/// A replacement for every canonical source: a URL prefix (`https://host/datasets/`,
/// `file:///srv/data/`) or a plain local folder. A file is looked up under its catalogue name
/// directly below it, so a mirror is simply a folder holding the archives as published.
public struct Mirror: Sendable, Equatable, CustomStringConvertible {
  /// The environment variable that sets a mirror when no explicit one is given.
  public static let environmentVariable = "MFD_DATA_MIRROR"

  /// The prefix, always ending in "/".
  public let base: URL

  /// - Parameter spec: a URL with a scheme, or a local folder path (relative to the working folder).
  public init(_ spec: String) {
    if let url = URL(string: spec), let scheme = url.scheme, scheme.count > 1 {
      // A one-letter "scheme" would be a Windows drive; treat anything with a real scheme as a URL.
      base = spec.hasSuffix("/") ? url : URL(string: spec + "/")!
    } else {
      base = URL(fileURLWithPath: spec, isDirectory: true).standardizedFileURL
    }
  }

  /// The explicit mirror if given, else `MFD_DATA_MIRROR` if set and non-empty, else nil
  /// (canonical sources).
  public static func resolve(explicit: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> Mirror? {
    if let explicit, !explicit.isEmpty { return Mirror(explicit) }
    if let spec = environment[environmentVariable], !spec.isEmpty { return Mirror(spec) }
    return nil
  }

  /// Where this mirror serves `fileName`.
  public func url(for fileName: String) -> URL {
    base.appendingPathComponent(fileName)
  }

  public var description: String { base.isFileURL ? base.path : base.absoluteString }
}
