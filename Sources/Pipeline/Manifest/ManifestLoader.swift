import Foundation

/// Builds a checked `Manifest` from a YAML file: every key known, every value typed, every reference
/// (published cells, report axes, profiles) resolved, every error located.
public enum ManifestLoader {
  static let topLevelKeys = ["table", "profiles_file", "default_profile", "grid", "report", "published", "figures", "profiles"]

  /// Loads `path`; `profiles_file` is read relative to the manifest's directory.
  /// - Parameter vocabulary: known model and dataset names, for "did you mean" on typos (nil: any id).
  public static func load(path: String, vocabulary: ManifestVocabulary = .open) throws(ManifestError) -> Manifest {
    try load(root: YAMLDocument.root(ofFile: path), path: path, vocabulary: vocabulary)
  }

  /// Loads manifest text (tests); `profiles_file` is resolved relative to `directory`.
  public static func load(text: String, file: String, directory: String,
                          vocabulary: ManifestVocabulary = .open) throws(ManifestError) -> Manifest {
    try load(root: YAMLDocument.root(ofText: text, file: file), path: file, directory: directory, vocabulary: vocabulary)
  }

  static func load(root: YAMLNode, path: String, directory: String? = nil,
                   vocabulary: ManifestVocabulary) throws(ManifestError) -> Manifest {
    let mapping = try root.mapping()
    try mapping.rejectUnknownKeys(allowed: topLevelKeys)
    let table = try readTable(mapping.require("table"))

    var profiles = ProfileCatalog()
    if let fileNode = mapping.optional("profiles_file") {
      let base = directory ?? (path as NSString).deletingLastPathComponent
      let profilesPath = (base as NSString).appendingPathComponent(try fileNode.string())
      guard FileManager.default.fileExists(atPath: profilesPath) else {
        throw fileNode.error("profiles file '\(profilesPath)' does not exist")
      }
      profiles = try loadProfilesFile(path: profilesPath)
    }
    if let own = mapping.optional("profiles") { profiles = profiles.overridden(by: try ProfileCatalog(yaml: own)) }
    guard !profiles.names.isEmpty else {
      throw root.error("no profiles: add 'profiles_file: profiles.yaml' or a 'profiles:' section")
    }

    let gridNode = try mapping.require("grid")
    let grid = try gridNode.mapping()
    try grid.rejectUnknownKeys(allowed: ["model", "dataset", "loss", "settings"])
    let models = try readNames(grid.require("model"), known: vocabulary.models, what: "model")
    let datasets = try readNames(grid.require("dataset"), known: vocabulary.datasets, what: "dataset")
    let losses = try readLosses(grid.require("loss"))
    let settingAxes = try grid.optional("settings").map { node throws(ManifestError) in try readSettingAxes(node) } ?? []

    let layout = try readLayout(mapping.require("report"),
                                axes: settingAxes.isEmpty ? [.model, .dataset, .loss] : GridAxis.allCases)
    let defaultProfileNode = mapping.optional("default_profile")
    let defaultProfile = try defaultProfileNode?.oneOf(profiles.names) ?? ProfileCatalog.paperProfile
    var manifest = Manifest(path: path, table: table, models: models, datasets: datasets, losses: losses,
                            settingAxes: settingAxes, layout: layout, published: nil, profiles: profiles, defaultProfile: defaultProfile,
                            rootLocation: root.location)
    if let publishedNode = mapping.optional("published") {
      manifest = Manifest(path: path, table: table, models: models, datasets: datasets, losses: losses,
                          settingAxes: settingAxes, layout: layout, published: try PublishedValuesReader.read(publishedNode, for: manifest),
                          profiles: profiles, defaultProfile: defaultProfile, rootLocation: root.location)
    }
    if let figuresNode = mapping.optional("figures") { manifest.figures = try FiguresReader.read(figuresNode, for: manifest) }
    // Resolve every profile now so a broken one fails at load time, not mid-sweep.
    for name in profiles.names { _ = try manifest.resolveProfile(name) }
    return manifest
  }

  /// A shared profiles file: `profiles: {paper: …, quick: …}`.
  static func loadProfilesFile(path: String) throws(ManifestError) -> ProfileCatalog {
    let root = try YAMLDocument.root(ofFile: path)
    let mapping = try root.mapping()
    try mapping.rejectUnknownKeys(allowed: ["profiles"])
    return try ProfileCatalog(yaml: mapping.require("profiles"))
  }

  private static func readTable(_ node: YAMLNode) throws(ManifestError) -> Manifest.Table {
    let mapping = try node.mapping()
    try mapping.rejectUnknownKeys(allowed: ["id", "title", "source"])
    let idNode = try mapping.require("id")
    let id = try idNode.string()
    guard isIdentifier(id) else { throw idNode.error("'\(id)' must be lowercase letters, digits and _ (used in file names)") }
    return Manifest.Table(id: id, title: try mapping.require("title").string(), source: try mapping.optional("source")?.string())
  }

  private static func readNames(_ node: YAMLNode, known: [String]?, what: String) throws(ManifestError) -> [String] {
    var names: [String] = []
    for element in try node.nonEmptySequence() {
      let name = try element.string()
      guard isIdentifier(name) else { throw element.error("'\(name)' must be lowercase letters, digits and _ (used in step ids)") }
      if let known, !known.contains(name) {
        throw element.error("unknown \(what) '\(name)'" + KeySuggestion.hint(for: name, among: known) + "; known: \(known.joined(separator: ", "))")
      }
      guard !names.contains(name) else { throw element.error("'\(name)' is listed twice") }
      names.append(name)
    }
    return names
  }

  private static func readLosses(_ node: YAMLNode) throws(ManifestError) -> [LossSpec] {
    var losses: [LossSpec] = []
    for element in try node.nonEmptySequence() {
      let mapping = try element.mapping()
      try mapping.rejectUnknownKeys(allowed: ["base", "lambda", "placement", "label"] + LossParameters.keys.map(\.key))
      let base = try mapping.require("base").oneOf(LossSpec.baseLosses)
      let parameters = try readLossParameters(mapping, base: base)
      let placementNode = mapping.optional("placement")
      let placementName = try placementNode?.oneOf(LossSpec.Placement.allCases.map(\.rawValue)) ?? "none"
      let placement = LossSpec.Placement(rawValue: placementName)!
      let lambdaNode = mapping.optional("lambda")
      let lambda = try lambdaNode?.double() ?? 0
      if placement == .none, lambda != 0 {
        throw (lambdaNode ?? element).error("lambda \(lambda) needs a placement (stages or blocks); placement is none")
      }
      if placement != .none, lambda <= 0 {
        throw (lambdaNode ?? element).error("placement \(placementName) needs lambda > 0")
      }
      let loss = LossSpec(base: base, lambda: lambda, placement: placement, parameters: parameters,
                          label: try mapping.optional("label")?.string())
      guard !losses.contains(where: { $0.tag == loss.tag }) else { throw element.error("loss '\(loss.tag)' is listed twice") }
      losses.append(loss)
    }
    return losses
  }

  /// A face loss's parameters (`scale`, `margin`, `center_lambda`, `center_alpha`,
  /// `embedding_features`): each only for the bases it applies to, each in its range.
  private static func readLossParameters(_ mapping: YAMLMapping, base: String) throws(ManifestError) -> LossParameters {
    var parameters = LossParameters()
    for (key, bases) in LossParameters.keys {
      guard let node = mapping.optional(key) else { continue }
      guard bases.contains(base) else {
        throw node.error("'\(key)' applies to \(bases.joined(separator: ", ")), not \(base)")
      }
      let value = key == "embedding_features" ? Double(try node.int()) : try node.double()
      if let problem = LossParameters.problem(key: key, value: value, base: base) { throw node.error(problem) }
      switch key {
      case "scale": parameters.scale = value
      case "margin": parameters.margin = value
      case "center_lambda": parameters.centerLambda = value
      case "center_alpha": parameters.centerAlpha = value
      default: parameters.embeddingFeatures = Int(value)
      }
    }
    return parameters
  }

  /// `grid.settings`: dotted setting path → non-empty list of values, typed by the schema.
  private static func readSettingAxes(_ node: YAMLNode) throws(ManifestError) -> [SettingAxis] {
    var axes: [SettingAxis] = []
    let allowed = TrainingSettingsSchema.fields.map(\.path).filter { $0 != "seeds" }
    for entry in try node.mapping().entries {
      guard let field = TrainingSettingsSchema.fieldsByPath[entry.key], entry.key != "seeds" else {
        throw ManifestError(entry.keyLocation, keyPath: node.childPath(entry.key),
                            "'\(entry.key)' is not a training setting that can be an axis" + KeySuggestion.hint(for: entry.key, among: allowed)
                              + " (seeds come from the profile)")
      }
      var values: [ConfigValue] = []
      for element in try entry.value.nonEmptySequence() {
        let value = try SettingsLayer.value(of: element, for: field)
        guard !values.contains(value) else { throw element.error("value listed twice") }
        values.append(value)
      }
      axes.append(SettingAxis(path: entry.key, values: values))
    }
    guard !axes.isEmpty else { throw node.error("give at least one setting axis, or drop 'settings'") }
    return axes
  }

  private static func readLayout(_ node: YAMLNode, axes gridAxes: [GridAxis]) throws(ManifestError) -> ReportLayout {
    let mapping = try node.mapping()
    try mapping.rejectUnknownKeys(allowed: ["rows", "columns", "metric", "metrics", "decimals", "labels"])
    let metrics = try readMetrics(mapping, node)
    func axes(_ key: String) throws(ManifestError) -> [ReportAxis] {
      var result: [ReportAxis] = []
      for element in try mapping.require(key).nonEmptySequence() {
        result.append(ReportAxis(rawValue: try element.oneOf(ReportAxis.allCases.map(\.rawValue)))!)
      }
      return result
    }
    let rows = try axes("rows"), columns = try axes("columns")
    let used = rows + columns
    let required = gridAxes.map(ReportAxis.init) + (metrics.count > 1 ? [.metric] : [])
    guard Set(used).count == used.count, Set(used) == Set(required) else {
      throw node.error("rows and columns must use each of \(required.map(\.rawValue).joined(separator: ", ")) exactly once (seeds are averaged"
        + (metrics.count > 1 ? "; 'metric' lays out the metrics)" : "; 'metric' only with several metrics)"))
    }
    let decimalsNode = mapping.optional("decimals")
    let decimals = try decimalsNode?.int() ?? 2
    guard (0...6).contains(decimals) else { throw decimalsNode!.error("decimals must be between 0 and 6") }
    var labels: [String: String] = [:]
    if let labelsNode = mapping.optional("labels") {
      for entry in try labelsNode.mapping().entries { labels[entry.key] = try entry.value.string() }
    }
    return ReportLayout(rows: rows, columns: columns, metrics: metrics, decimals: decimals, labels: labels)
  }

  /// `metric: top1_accuracy`, or `metrics:` as a list of keys or of `{key, label}`.
  private static func readMetrics(_ mapping: YAMLMapping, _ node: YAMLNode) throws(ManifestError) -> [ReportMetric] {
    func key(_ node: YAMLNode) throws(ManifestError) -> String {
      let metric = try node.string()
      guard !metric.isEmpty, metric.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || $0.properties.numericType != nil || $0 == "_") }) else {
        throw node.error("metric '\(metric)' must be a key of the evaluate results (letters, digits and _)")
      }
      return metric
    }
    switch (mapping.optional("metric"), mapping.optional("metrics")) {
    case (let single?, nil):
      return [ReportMetric(key: try key(single))]
    case (nil, let list?):
      var metrics: [ReportMetric] = []
      for element in try list.nonEmptySequence() {
        let metric: ReportMetric
        if let entry = try? element.mapping() {
          try entry.rejectUnknownKeys(allowed: ["key", "label"])
          metric = ReportMetric(key: try key(entry.require("key")), label: try entry.optional("label")?.string())
        } else {
          metric = ReportMetric(key: try key(element))
        }
        guard !metrics.contains(where: { $0.key == metric.key }) else { throw element.error("metric '\(metric.key)' is listed twice") }
        metrics.append(metric)
      }
      return metrics
    case (_?, _?):
      throw node.error("give either 'metric' or 'metrics', not both")
    case (nil, nil):
      throw node.error("missing key 'metric' (or 'metrics' for several)")
    }
  }

  static func isIdentifier(_ text: String) -> Bool {
    !text.isEmpty && text.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
  }
}

/// Names the manifest may use for models and datasets (from the Models and Datasets modules).
public struct ManifestVocabulary: Sendable {
  public var models: [String]?
  public var datasets: [String]?
  public init(models: [String]?, datasets: [String]?) {
    self.models = models
    self.datasets = datasets
  }
  /// Any lowercase identifier is accepted.
  public static let open = ManifestVocabulary(models: nil, datasets: nil)
}
