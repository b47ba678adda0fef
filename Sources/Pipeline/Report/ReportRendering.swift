import Foundation

/// Markdown, CSV and JSON renderings of a `TableReport`. Deterministic: same store, same bytes.
extension TableReport {
  public func format(_ value: Double) -> String { String(format: "%.\(manifest.layout.decimals)f", value) }

  public func formatSigned(_ value: Double) -> String {
    let text = format(value)
    return value >= 0 && !text.hasPrefix("-") ? "+" + text : text
  }

  /// "94.10 ± 0.12", "94.10 ± 0.12 (n=2/3)", "94.10 (n=1/3)", "— (0/3)".
  public func oursText(_ cell: Cell) -> String {
    let expected = cell.statistics.expectedSeeds.count, n = cell.statistics.n
    guard let mean = cell.statistics.mean else { return "— (0/\(expected))" }
    var text = format(mean)
    if let std = cell.statistics.sampleStandardDeviation { text += " ± " + format(std) }
    if n < expected { text += " (n=\(n)/\(expected))" }
    return text
  }

  private func label(_ axis: ReportAxis, _ value: String) -> String {
    switch axis {
    case .loss: return manifest.loss(tagged: value)?.label ?? value
    case .metric: return manifest.layout.metrics.first { $0.key == value }?.label ?? value
    default: return manifest.layout.label(for: value)
    }
  }

  private func values(of axis: ReportAxis) -> [String] {
    switch axis {
    case .model: return manifest.models
    case .dataset: return manifest.datasets
    case .loss: return manifest.losses.map(\.tag)
    case .setting: return manifest.variants.map(\.tag)
    case .metric: return manifest.layout.metricKeys
    }
  }

  /// Every combination of the axes' values, outermost axis first.
  private func combinations(_ axes: [ReportAxis]) -> [[ReportAxis: String]] {
    axes.reduce([[:]]) { partial, axis in partial.flatMap { prefix in values(of: axis).map { prefix.merging([axis: $0]) { $1 } } } }
  }

  private func cellKey(_ row: [ReportAxis: String], _ column: [ReportAxis: String]) -> ReportCellKey {
    let all = row.merging(column) { $1 }
    return ReportCellKey(CellKey(model: all[.model]!, dataset: all[.dataset]!, loss: all[.loss]!, variant: all[.setting] ?? ""),
                         metric: all[.metric] ?? manifest.layout.metricKeys[0])
  }

  public var markdown: String {
    let layout = manifest.layout
    let hasPaper = manifest.published != nil
    let compared = manifest.published?.compared ?? false
    var lines = ["# \(manifest.table.title)", "", "> \(banner)", ""]
    if let source = manifest.table.source { lines += ["Paper: \(source)", ""] }
    let columns = combinations(layout.columns)
    var header = layout.rows.map { $0.rawValue.capitalized }
    for column in columns {
      let name = layout.columns.map { label($0, column[$0]!) }.joined(separator: " / ")
      header += hasPaper ? ["\(name) (ours)", "paper"] + (compared ? ["Δ"] : []) : [name]
    }
    lines.append("| " + header.joined(separator: " | ") + " |")
    lines.append("|" + header.indices.map { $0 < layout.rows.count ? "---" : "---:" }.joined(separator: "|") + "|")
    for row in combinations(layout.rows) {
      var fields = layout.rows.map { label($0, row[$0]!) }
      for column in columns {
        guard let cell = self[cellKey(row, column)] else { continue }
        fields.append(oursText(cell))
        guard hasPaper else { continue }
        fields.append(cell.published.map { format($0.value) } ?? "—")
        guard compared else { continue }
        let mark = cell.comparison == .outsideTolerance ? " ✗" : ""
        fields.append(cell.difference.map { formatSigned($0) + mark } ?? "—")
      }
      lines.append("| " + fields.joined(separator: " | ") + " |")
    }
    lines += ["", "Ours: \(statisticsDefinition). `— (0/n)`: not run yet; `(n=k/n)`: k of n seeds finished."]
    if hasPaper {
      lines.append(compared ? "Δ = ours − paper; ✗ marks |Δ| above the cell's tolerance."
                            : "The paper's values were measured on other hardware: shown for scale, not compared.")
      if !compared, !machines.isEmpty { lines.append("Ours were measured on: \(machines.joined(separator: "; ")).") }
    }
    let (done, planned) = runCounts
    lines.append(isComplete ? "All \(planned) runs finished." : "Partial: \(done) of \(planned) runs finished.")
    for figure in manifest.figures {
      let stem = ResultsStem.of(figure.id, manifest: manifest, profile: profile)
      lines += ["", "![\(figure.title ?? figure.id)](\(stem).png)"]
    }
    return lines.joined(separator: "\n") + "\n"
  }

  public var csv: String {
    let hasSettings = !manifest.settingAxes.isEmpty
    var lines = ["model,dataset,loss" + (hasSettings ? ",setting" : "") + ",metric,n,planned_n,mean,sample_std,paper,tolerance,difference,comparison,missing_seeds"]
    for cell in cells {
      let s = cell.statistics
      let mean: String = s.mean.map(format) ?? ""
      let std: String = s.sampleStandardDeviation.map(format) ?? ""
      let paper: String = cell.published.map { format($0.value) } ?? ""
      let difference: String = cell.difference.map(format) ?? ""
      let missing: String = s.missingSeeds.map(String.init).joined(separator: " ")
      let setting: [String] = hasSettings ? [cell.key.variant] : []
      let tolerance: String = cell.published.map { $0.tolerance.isFinite ? "\($0.tolerance)" : "" } ?? ""
      let fields: [String] = [cell.key.model, cell.key.dataset, cell.key.loss] + setting + [cell.metric, String(s.n), String(s.expectedSeeds.count),
                              mean, std, paper, tolerance, difference, cell.comparison.rawValue, missing]
      lines.append(fields.joined(separator: ","))
    }
    return lines.joined(separator: "\n") + "\n"
  }

  public var json: String {
    func number(_ value: Double?) -> ConfigValue { value.map(EvaluationMetrics.configValue) ?? .null }
    let cellValues: [ConfigValue] = cells.map { cell in
      let s = cell.statistics
      return .object([
        "model": .string(cell.key.model), "dataset": .string(cell.key.dataset), "loss": .string(cell.key.loss),
        "setting": .string(cell.key.variant), "metric": .string(cell.metric), "n": .int(s.n), "planned_n": .int(s.expectedSeeds.count), "mean": number(s.mean),
        "sample_std": number(s.sampleStandardDeviation),
        "per_seed": .object(Dictionary(uniqueKeysWithValues: s.values.map { (String($0.key), EvaluationMetrics.configValue($0.value)) })),
        "paper": number(cell.published?.value), "tolerance": number(cell.published.flatMap { $0.tolerance.isFinite ? $0.tolerance : nil }),
        "difference": number(cell.difference), "comparison": .string(cell.comparison.rawValue),
      ])
    }
    return ConfigValue.object([
      "table": .string(manifest.table.id), "title": .string(manifest.table.title), "profile": .string(profile.name),
      "banner": .string(banner), "statistics": .string(statisticsDefinition), "metrics": .array(manifest.layout.metricKeys.map(ConfigValue.string)),
      "cells": .array(cellValues),
    ]).canonicalJSON + "\n"
  }

  /// Writes `<table>[-<profile>].md/.csv/.json` into `directory`; the manifest's default profile
  /// (the paper's for the paper's tables, `demo` for the demo) has no suffix.
  public func write(to directory: URL) throws -> [URL] {
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let stem = ResultsStem.of(manifest.table.id, manifest: manifest, profile: profile)
    var written: [URL] = []
    for (ext, text) in [("md", markdown), ("csv", csv), ("json", json)] {
      let url = directory.appendingPathComponent("\(stem).\(ext)")
      try StoreFile.write(Data(text.utf8), to: url)
      written.append(url)
    }
    return written
  }
}
