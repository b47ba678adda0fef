import Foundation

/// One manifest at one resolved profile, expanded into its step graph: what every command works on.
public struct Sweep: Sendable {
  public let manifest: Manifest
  public let profile: ResolvedProfile
  public let graph: StepGraph

  public init(manifest: Manifest, profile: ResolvedProfile) {
    self.manifest = manifest
    self.profile = profile
    graph = GridExpansion.graph(for: manifest, profile: profile)
  }

  /// Loads the manifest, resolves `profileName` (nil: the manifest's default) with the `--set`
  /// assignments, expands the grid.
  public static func load(manifestPath: String, profile profileName: String?, assignments: [String] = [],
                          vocabulary: ManifestVocabulary = .open) throws(ManifestError) -> Sweep {
    let manifest = try ManifestLoader.load(path: manifestPath, vocabulary: vocabulary)
    let overrides = try SettingOverride.layer(from: assignments)
    let name = profileName ?? manifest.defaultProfile
    return Sweep(manifest: manifest, profile: try manifest.resolveProfile(name, overrides: overrides))
  }

  /// A manifest argument as a path, or as a name under `manifests/` (`table5` → `manifests/table5.yaml`).
  public static func manifestPath(for argument: String, repositoryRoot: URL) -> String {
    let files = FileManager.default
    if files.fileExists(atPath: argument) { return argument }
    let directory = repositoryRoot.appendingPathComponent("manifests")
    for candidate in [argument, argument + ".yaml", argument + ".yml"] {
      let path = directory.appendingPathComponent(candidate).path
      if files.fileExists(atPath: path) { return path }
    }
    return argument  // The loader reports it as unreadable, with the name the user gave.
  }
}
