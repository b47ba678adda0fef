import Foundation

/// A table's results as they stand in the store: every cell with its seed statistics and the
/// paper's value. Built from whatever evaluate steps have finished, so partial sweeps render too.
public struct TableReport: Sendable {
  public struct Cell: Sendable {
    public let key: CellKey
    /// The metric this cell shows (one of `manifest.layout.metrics`).
    public let metric: String
    public let statistics: CellStatistics
    public let published: PublishedValues.Entry?

    /// ours − paper, when both exist.
    public var difference: Double? {
      guard let mean = statistics.mean, let published else { return nil }
      return mean - published.value
    }

    public var comparison: PaperComparison {
      guard let published, published.tolerance.isFinite else { return .noPaperValue }
      guard let difference else { return .missing }
      return abs(difference) <= published.tolerance ? .withinTolerance : .outsideTolerance
    }
  }

  public let manifest: Manifest
  public let profile: ResolvedProfile
  /// The paper profile as resolved for this manifest, to state how `profile` differs from it.
  public let paperProfile: ResolvedProfile?
  /// In `manifest.cells` order, each cell's metrics in layout order.
  public let cells: [Cell]
  /// The hardware the table's evaluated training runs were measured on, sorted, distinct.
  public let machines: [String]

  public subscript(key: ReportCellKey) -> Cell? { cells.first { $0.key == key.cell && $0.metric == key.metric } }

  /// Reads every finished evaluate step of the plan's graph (up to date in `plan`).
  public init(manifest: Manifest, profile: ResolvedProfile, plan: Plan, store: ArtifactStore) throws {
    self.manifest = manifest
    self.profile = profile
    paperProfile = try? manifest.resolveProfile(ProfileCatalog.paperProfile)
    var cells: [Cell] = []
    var machines = Set<String>()
    for key in manifest.cells {
      var values: [String: [Int: Double]] = [:]
      for seed in profile.settings.seeds {
        guard let record = plan[GridExpansion.evaluateID(key, seed: seed)]?.record else { continue }
        if let machine = plan[GridExpansion.trainID(key, seed: seed)]?.record?.machine { machines.insert(machine) }
        let metrics = try EvaluationMetrics.read(from: store.layout.outputsDirectory(record.key))
        for metric in manifest.layout.metricKeys {
          guard let value = metrics[metric] else {
            throw ReportError.metricAbsent(metric: metric, step: record.id, available: metrics.keys.sorted())
          }
          values[metric, default: [:]][seed] = value
        }
      }
      for metric in manifest.layout.metricKeys {
        cells.append(Cell(key: key, metric: metric,
                          statistics: CellStatistics(values: values[metric] ?? [:], expectedSeeds: profile.settings.seeds),
                          published: manifest.published?[ReportCellKey(key, metric: metric)]))
      }
    }
    self.cells = cells
    self.machines = machines.sorted()
  }

  /// The banner every rendering starts with: which profile, and whether it is the paper's recipe.
  public var banner: String {
    let differences = paperProfile.map { profile.settings.differences(from: $0.settings) } ?? []
    var text: String
    if differences.isEmpty {
      text = "Profile `\(profile.name)`: the paper's training recipe."
    } else {
      text = "Profile `\(profile.name)`: NOT the paper's recipe, so differences from the paper are expected. "
        + "Differs in: \(differences.joined(separator: "; "))."
    }
    if let note = profile.note { text += " \(note)" }
    if profile.settings.dataSource == .standIn {
      text += " DATA: generated stand-in images in each dataset's file format, not the real datasets: "
        + "these numbers say nothing about the paper's claims."
    }
    if profile.overridden { text += " Settings were overridden on the command line (--set)." }
    return text
  }

  /// How the ± is computed, stated in every output (readers cannot otherwise tell).
  public var statisticsDefinition: String {
    "mean ± sample standard deviation (n − 1 denominator) of \(manifest.layout.metricKeys.joined(separator: ", ")) over n seeds "
      + "(planned: \(profile.settings.seeds.map(String.init).joined(separator: ", ")))"
  }

  public var isComplete: Bool { cells.allSatisfy { $0.statistics.missingSeeds.isEmpty } }

  /// Runs counted once per grid cell and seed, however many metrics a run gives.
  var runCounts: (done: Int, planned: Int) {
    let first = manifest.layout.metricKeys[0]
    let perRun = cells.filter { $0.metric == first }
    return (perRun.reduce(0) { $0 + $1.statistics.n }, perRun.count * profile.settings.seeds.count)
  }
}

/// A cell's standing against the paper.
public enum PaperComparison: String, Sendable, Codable {
  case withinTolerance = "within"
  case outsideTolerance = "outside"
  /// The paper has a value but we have no result yet.
  case missing
  /// The manifest has no published value for this cell.
  case noPaperValue = "no paper value"
}

public enum ReportError: Error, Sendable, CustomStringConvertible {
  case metricAbsent(metric: String, step: StepID, available: [String])

  public var description: String {
    switch self {
    case let .metricAbsent(metric, step, available):
      return "\(step) has no metric '\(metric)' (it has \(available.joined(separator: ", "))); fix report.metric(s) in the manifest"
    }
  }
}
