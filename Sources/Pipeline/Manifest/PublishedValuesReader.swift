/// Reads `published:` — a default tolerance and one entry per cell (and metric, when the table
/// shows several): `- {model: resnext50_32x4d, dataset: cifar10, loss: softmax, value: 94.05, tolerance: 1.5}`.
/// Every cell of the grid must have exactly one value; references are checked against the grid.
/// `compare: false` (numbers measured on other hardware) shows the values without a tolerance.
enum PublishedValuesReader {
  static func read(_ node: YAMLNode, for manifest: Manifest) throws(ManifestError) -> PublishedValues {
    let mapping = try node.mapping()
    try mapping.rejectUnknownKeys(allowed: ["tolerance", "values", "compare"])
    let compared = try mapping.optional("compare")?.bool() ?? true
    let toleranceNode = mapping.optional("tolerance")
    if compared, toleranceNode == nil { throw node.error("missing key 'tolerance' (or 'compare: false' for values not to compare)") }
    let defaultTolerance = try toleranceNode.map { node throws(ManifestError) in try positive(node) } ?? .infinity
    let metrics = manifest.layout.metricKeys
    var entries: [ReportCellKey: PublishedValues.Entry] = [:]
    for element in try mapping.require("values").nonEmptySequence() {
      let entry = try element.mapping()
      let hasSettings = !manifest.settingAxes.isEmpty
      try entry.rejectUnknownKeys(allowed: ["model", "dataset", "loss", "value", "tolerance"] + (hasSettings ? ["setting"] : [])
        + (metrics.count > 1 ? ["metric"] : []))
      let model = try reference(entry.require("model"), among: manifest.models, axis: "model")
      let dataset = try reference(entry.require("dataset"), among: manifest.datasets, axis: "dataset")
      let loss = try reference(entry.require("loss"), among: manifest.losses.map(\.tag), axis: "loss tag")
      let variant = hasSettings ? try reference(entry.require("setting"), among: manifest.variants.map(\.tag), axis: "setting") : ""
      let metric = metrics.count > 1 ? try reference(entry.require("metric"), among: metrics, axis: "metric") : metrics[0]
      let cell = ReportCellKey(CellKey(model: model, dataset: dataset, loss: loss, variant: variant), metric: metric)
      guard entries[cell] == nil else { throw element.error("a second value for cell \(cell)") }
      let tolerance = try entry.optional("tolerance").map { node throws(ManifestError) in try positive(node) } ?? defaultTolerance
      entries[cell] = PublishedValues.Entry(value: try entry.require("value").double(), tolerance: tolerance)
    }
    let missing = manifest.cells.flatMap { cell in metrics.map { ReportCellKey(cell, metric: $0) } }.filter { entries[$0] == nil }
    guard missing.isEmpty else {
      throw node.error("no published value for \(missing.count) cell(s): \(missing.map(\.description).joined(separator: ", "))"
        + " (every cell needs one; drop 'published' for a table without paper numbers)")
    }
    return PublishedValues(entries: entries, compared: compared)
  }

  private static func positive(_ node: YAMLNode) throws(ManifestError) -> Double {
    let value = try node.double()
    guard value > 0 else { throw node.error("tolerance must be > 0, got \(value)") }
    return value
  }

  /// The string at `node`, which must be one of the grid's `values` (figures use it too).
  static func reference(_ node: YAMLNode, among values: [String], axis: String) throws(ManifestError) -> String {
    let value = try node.string()
    guard values.contains(value) else {
      throw node.error("'\(value)' is not a \(axis) of the grid" + KeySuggestion.hint(for: value, among: values)
        + "; the grid has \(values.joined(separator: ", "))")
    }
    return value
  }
}
