/// Named profiles (`paper`, `quick`, `smoke`, …) as defined in a shared profiles file and overridden
/// per manifest. A profile may `extends:` another and then lists only what it changes.
public struct ProfileCatalog: Sendable {
  struct Definition: Sendable {
    var extends: String?
    /// Text for the report banner (why this profile exists, what it is not).
    var note: String?
    var layer: SettingsLayer
    var location: SourceLocation
    /// `executor:` (nil: not given here), and the `slurm:` resources this profile adds.
    var executor: ExecutorKind?
    var slurm = SlurmSettings()
  }

  /// The profile every report compares against, and that marks a run as the paper's recipe.
  public static let paperProfile = "paper"

  private(set) var definitions: [String: Definition] = [:]
  public var names: [String] { definitions.keys.sorted() }

  init() {}

  /// Keys of a profile that are not training settings.
  static let reservedKeys = ["extends", "note", "executor", "slurm"]

  /// Reads `profiles:`-style YAML: name → {extends?, note?, executor?, slurm?, settings…}.
  init(yaml node: YAMLNode) throws(ManifestError) {
    for entry in try node.mapping().entries {
      let profileMapping = try entry.value.mapping()
      let extends = try profileMapping.optional("extends")?.string()
      let note = try profileMapping.optional("note")?.string()
      let layer = try SettingsLayer(yaml: entry.value, ignoring: Self.reservedKeys)
      let executor = try profileMapping.optional("executor")?.oneOf(ExecutorKind.allCases.map(\.rawValue))
      let slurm = try profileMapping.optional("slurm").map { node throws(ManifestError) in try SlurmSettings(yaml: node) }
      definitions[entry.key] = Definition(extends: extends, note: note, layer: layer, location: entry.value.location,
                                          executor: executor.flatMap(ExecutorKind.init(rawValue:)), slurm: slurm ?? SlurmSettings())
    }
  }

  /// This catalogue with `other`'s profiles merged over it, key by key.
  func overridden(by other: ProfileCatalog) -> ProfileCatalog {
    var merged = self
    for (name, override) in other.definitions {
      if var base = merged.definitions[name] {
        base.extends = override.extends ?? base.extends
        base.note = override.note ?? base.note
        base.layer = base.layer.overridden(by: override.layer)
        base.executor = override.executor ?? base.executor
        base.slurm = base.slurm.overridden(by: override.slurm)
        merged.definitions[name] = base
      } else {
        merged.definitions[name] = override
      }
    }
    return merged
  }

  /// The profile's complete settings, following `extends` and applying `overrides` last.
  func resolve(_ name: String, overrides: SettingsLayer = SettingsLayer(),
               requestedAt location: SourceLocation) throws(ManifestError) -> ResolvedProfile {
    guard definitions[name] != nil else {
      throw ManifestError(location, keyPath: "profiles",
                          "no profile named '\(name)'" + KeySuggestion.hint(for: name, among: names)
                            + "; defined: \(names.joined(separator: ", "))")
    }
    var chain: [Definition] = []
    var current: String? = name
    var visited: [String] = []
    while let profileName = current {
      guard let definition = definitions[profileName] else {
        let child = chain.last!
        throw ManifestError(child.location, keyPath: "profiles.\(visited.last!).extends",
                            "extends unknown profile '\(profileName)'" + KeySuggestion.hint(for: profileName, among: names))
      }
      if visited.contains(profileName) {
        throw ManifestError(definition.location, keyPath: "profiles.\(profileName).extends",
                            "profiles extend each other in a cycle: \((visited + [profileName]).joined(separator: " → "))")
      }
      visited.append(profileName)
      chain.append(definition)
      current = definition.extends
    }
    var layer = SettingsLayer()
    for definition in chain.reversed() { layer = layer.overridden(by: definition.layer) }
    layer = layer.overridden(by: overrides)
    let settings = try TrainingSettings(layer, profile: name, definedAt: chain[0].location)
    var slurm = SlurmSettings()
    for definition in chain.reversed() { slurm = slurm.overridden(by: definition.slurm) }
    return ResolvedProfile(name: name, note: chain.first { $0.note != nil }?.note, settings: settings,
                           overridden: !overrides.entries.isEmpty,
                           executor: chain.first { $0.executor != nil }?.executor ?? .local, slurm: slurm)
  }
}

/// A profile with every setting resolved, as one sweep uses it.
public struct ResolvedProfile: Sendable, Equatable {
  public let name: String
  public let note: String?
  public let settings: TrainingSettings
  /// True when `--set` changed something, which the report banner must say.
  public let overridden: Bool
  /// Where its steps run unless `--executor` says otherwise (`local` when no profile in the chain says).
  public let executor: ExecutorKind
  /// Slurm resources per step kind (used only by the Slurm executor; never part of a step's key).
  public let slurm: SlurmSettings
}
