import ArgumentParser
import Foundation
import Pipeline

struct ReportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "report",
    abstract: "Write the table as it stands (Markdown, CSV, JSON) into results/ and print the Markdown.",
    discussion: "Partial sweeps render: missing cells say so, cells with fewer seeds show n.")

  @OptionGroup var options: PipelineOptions

  @Option(help: "Directory for <table>[-<profile>].md/.csv/.json.")
  var output: String = "results"

  func run() throws {
    try Self.writeReport(sweep: options.loadSweep(), planner: options.planner(), directory: output, quiet: false)
  }

  static func writeReport(sweep: Sweep, planner: Planner, directory: String, quiet: Bool) throws {
    let plan = planner.plan(sweep.graph)
    let report = try TableReport(manifest: sweep.manifest, profile: sweep.profile, plan: plan, store: planner.store)
    let files = try report.write(to: URL(fileURLWithPath: directory))
      + FigureFiles.write(manifest: sweep.manifest, profile: sweep.profile, plan: plan, store: planner.store,
                          to: URL(fileURLWithPath: directory))
    if !quiet { print(report.markdown) }
    print("wrote " + files.map(\.relativePath).joined(separator: ", "))
  }
}

struct DiffCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "diff",
    abstract: "Compare ours with the paper per cell against the tolerance; exit status for scripts.",
    discussion: "Exit 0: every cell within tolerance. 1: some cell outside. 2: none outside but some missing (not run yet).")

  @OptionGroup var options: PipelineOptions

  func run() throws {
    let sweep = try options.loadSweep()
    let planner = options.planner()
    let report = try TableReport(manifest: sweep.manifest, profile: sweep.profile, plan: planner.plan(sweep.graph), store: planner.store)
    guard sweep.manifest.published != nil else {
      throw PipelineCommandError("\(sweep.manifest.path) has no published values to compare with")
    }
    guard sweep.manifest.published?.compared == true else {
      throw PipelineCommandError("\(sweep.manifest.path): the paper's values were measured on other hardware (published.compare: false); "
        + "`mfd report` shows them side by side, there is nothing to hold ours against")
    }
    print("> \(report.banner)")
    let severalMetrics = sweep.manifest.layout.metrics.count > 1
    var counts: [PaperComparison: Int] = [:]
    for cell in report.cells {
      counts[cell.comparison, default: 0] += 1
      let ours = report.oursText(cell)
      let paper = cell.published.map { report.format($0.value) } ?? "—"
      let difference = cell.difference.map { report.formatSigned($0) } ?? "—"
      let tolerance = cell.published.map { "±" + report.format($0.tolerance) } ?? ""
      print("\(cell.comparison == .withinTolerance ? "ok " : cell.comparison == .outsideTolerance ? "OUT" : "-- ") "
        + "\(cell.key)\(severalMetrics ? " " + cell.metric : "")  ours \(ours)  paper \(paper)  Δ \(difference) (tolerance \(tolerance))")
    }
    print("within \(counts[.withinTolerance] ?? 0), outside \(counts[.outsideTolerance] ?? 0), missing \(counts[.missing] ?? 0)")
    if (counts[.outsideTolerance] ?? 0) > 0 { throw ExitCode(1) }
    if (counts[.missing] ?? 0) > 0 { throw ExitCode(2) }
  }
}
