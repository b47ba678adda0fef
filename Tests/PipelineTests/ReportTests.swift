import Foundation
import Testing
@testable import Pipeline

@Suite struct ReportTests {
  @Test func sampleStandardDeviationUsesNMinusOne() throws {
    let statistics = CellStatistics(values: [0: 1, 1: 2, 2: 4], expectedSeeds: [0, 1, 2])
    #expect(statistics.mean == 7.0 / 3)
    let std = try #require(statistics.sampleStandardDeviation)
    #expect(abs(std - (7.0 / 3).squareRoot()) < 1e-12)  // Σ(x−m)² = 14/3, ÷ (n − 1) = 7/3.
    #expect(CellStatistics(values: [0: 5], expectedSeeds: [0, 1]).sampleStandardDeviation == nil)
    #expect(CellStatistics(values: [:], expectedSeeds: [0]).mean == nil)
  }

  @Test func completeSweepRendersMeanStdPaperAndDifference() throws {
    let bench = TestBench()
    let sweep = try Fixtures.sweep(bench.directory, set: ["seeds=0,1,2"])
    try bench.run(sweep)
    let report = try TableReport(manifest: sweep.manifest, profile: sweep.profile, plan: bench.plan(sweep), store: bench.store)
    #expect(report.isComplete)
    // Fake accuracies: 90 + seed (+1 with MFD) → softmax mean 91, std 1; MFD mean 92.
    let cell = try #require(report[ReportCellKey(CellKey(model: "net_a", dataset: "toyset", loss: "softmax"), metric: "top1_accuracy")])
    #expect(cell.statistics.mean == 91 && cell.statistics.sampleStandardDeviation == 1)
    #expect(cell.difference == 0.5 && cell.comparison == .withinTolerance)
    #expect(report[ReportCellKey(CellKey(model: "net_b", dataset: "toyset", loss: "softmax"), metric: "top1_accuracy")]?.comparison == .outsideTolerance)  // 91 vs 95
    #expect(report[ReportCellKey(CellKey(model: "net_b", dataset: "toyset", loss: "mfd1"), metric: "top1_accuracy")]?.comparison == .outsideTolerance)  // 92 vs 91.5 ± 0.1
    let markdown = report.markdown
    #expect(markdown.contains("| net_a | toyset | 91.00 ± 1.00 | 90.50 | +0.50 | 92.00 ± 1.00 | 91.50 | +0.50 |"))
    #expect(markdown.contains("| net_b | toyset | 91.00 ± 1.00 | 95.00 | -4.00 ✗ |"))
    #expect(markdown.contains("sample standard deviation (n − 1 denominator)"))
    #expect(markdown.contains("Profile `smoke`: NOT the paper's recipe"))
    #expect(markdown.contains("--set"))
    #expect(markdown.contains("All 12 runs finished."))
    #expect(report.csv.contains("net_a,toyset,softmax,top1_accuracy,3,3,91.00,1.00,90.50,1.0,0.50,within,\n"))
    let json = try JSONDecoder().decode(ConfigValue.self, from: Data(report.json.utf8))
    #expect(json[path: "profile"] == .string("smoke"))
    #expect(json[path: "cells"]?.arrayValue?.count == 4)
  }

  @Test func partialSweepMarksMissingCellsAndSeeds() throws {
    let bench = TestBench()
    let sweep = try Fixtures.sweep(bench.directory, set: ["seeds=0,1,2"])
    bench.runner.set(.fail, for: StepID(.train, "net_b-toyset-mfd1-s0"))
    bench.runner.set(.fail, for: StepID(.train, "net_b-toyset-mfd1-s1"))
    bench.runner.set(.fail, for: StepID(.train, "net_b-toyset-mfd1-s2"))
    bench.runner.set(.fail, for: StepID(.train, "net_a-toyset-mfd1-s2"))
    try bench.run(sweep, options: ExecutionOptions(jobs: 1, totalThreads: 2, keepGoing: true))
    let report = try TableReport(manifest: sweep.manifest, profile: sweep.profile, plan: bench.plan(sweep), store: bench.store)
    #expect(!report.isComplete)
    let markdown = report.markdown
    #expect(markdown.contains("| net_a | toyset | 91.00 ± 1.00 | 90.50 | +0.50 | 91.50 ± 0.71 (n=2/3) | 91.50 | +0.00 |"))
    #expect(markdown.contains("| — (0/3) | 91.50 | — |"))
    #expect(markdown.contains("Partial: 8 of 12 runs finished."))
    #expect(report[ReportCellKey(CellKey(model: "net_b", dataset: "toyset", loss: "mfd1"), metric: "top1_accuracy")]?.comparison == .missing)
    #expect(report.csv.contains("net_a,toyset,mfd1,top1_accuracy,2,3,91.50,0.71,91.50,1.0,0.00,within,2\n"))
  }

  @Test func tableWithoutPublishedValuesShowsOursOnly() throws {
    let bench = TestBench()
    let sweep = try Fixtures.sweep(bench.directory, text: Fixtures.manifest(published: false))
    try bench.run(sweep)
    let report = try TableReport(manifest: sweep.manifest, profile: sweep.profile, plan: bench.plan(sweep), store: bench.store)
    #expect(report.markdown.contains("| Model | Dataset | Softmax | Softmax + MFD |"))
    #expect(report.cells.allSatisfy { $0.comparison == .noPaperValue })
  }

  @Test func reportsAreByteIdenticalAcrossRunsAndWrittenUnderTheProfileName() throws {
    let bench = TestBench()
    let sweep = try Fixtures.sweep(bench.directory)
    try bench.run(sweep)
    let first = try TableReport(manifest: sweep.manifest, profile: sweep.profile, plan: bench.plan(sweep), store: bench.store)
    let second = try TableReport(manifest: sweep.manifest, profile: sweep.profile, plan: bench.plan(sweep), store: bench.store)
    #expect(first.markdown == second.markdown && first.csv == second.csv && first.json == second.json)
    let files = try first.write(to: bench.directory.url.appendingPathComponent("results"))
    #expect(files.map(\.lastPathComponent) == ["toy-smoke.md", "toy-smoke.csv", "toy-smoke.json"])
  }

  @Test func metricAbsentFromTheEvaluateResultsIsAClearError() throws {
    let bench = TestBench()
    let text = Fixtures.manifest().replacingOccurrences(of: "metric: top1_accuracy", with: "metric: top5_accuracy")
    let sweep = try Fixtures.sweep(bench.directory, text: text)
    try bench.run(sweep)
    #expect {
      _ = try TableReport(manifest: sweep.manifest, profile: sweep.profile, plan: bench.plan(sweep), store: bench.store)
    } throws: { error in
      "\(error)".contains("no metric 'top5_accuracy' (it has loss, top1_accuracy)")
    }
  }

  /// Table VII's shape: two metrics of each run laid out as columns, the paper's values measured
  /// on other hardware shown beside ours without Δ, and `diff`'s comparison switched off.
  @Test func severalMetricsLayOutAsColumnsAndUncomparedValuesHaveNoDifference() throws {
    let bench = TestBench()
    var text = Fixtures.manifest(published: false)
      .replacingOccurrences(of: "columns: [loss]", with: "columns: [metric, loss]")
      .replacingOccurrences(of: "metric: top1_accuracy", with: "metrics:\n    - {key: top1_accuracy, label: \"top-1\"}\n    - loss")
    text += "published:\n  compare: false\n  values:\n"
    for model in ["net_a", "net_b"] {
      for loss in ["softmax", "mfd1"] {
        for (metric, value) in [("top1_accuracy", 90.0), ("loss", 0.5)] {
          text += "    - {model: \(model), dataset: toyset, loss: \(loss), metric: \(metric), value: \(value)}\n"
        }
      }
    }
    let sweep = try Fixtures.sweep(bench.directory, text: text)
    try bench.run(sweep)
    let report = try TableReport(manifest: sweep.manifest, profile: sweep.profile, plan: bench.plan(sweep), store: bench.store)
    #expect(report.cells.count == 8 && report.isComplete)
    let cell = try #require(report[ReportCellKey(CellKey(model: "net_a", dataset: "toyset", loss: "mfd1"), metric: "loss")])
    #expect(cell.statistics.mean == 0.25 && cell.published?.value == 0.5 && cell.comparison == .noPaperValue)
    let markdown = report.markdown
    #expect(markdown.contains("| Model | Dataset | top-1 / Softmax (ours) | paper | top-1 / Softmax + MFD (ours) | paper | loss / Softmax (ours) |"))
    #expect(!markdown.contains("Δ") && markdown.contains("measured on other hardware"))
    #expect(markdown.contains("Ours were measured on: \(MachineDescription.current)."))
    #expect(MachineDescription.current.contains("logical CPUs"))
    #expect(markdown.contains("All 8 runs finished."))
    #expect(report.csv.split(separator: "\n").count == 9 && report.csv.contains(",loss,2,2,0.25,"))
  }

  /// A diverged run's NaN or infinite metric is stored, read back and shown as such, in every
  /// rendering, instead of failing the evaluate step or the report.
  @Test func nonFiniteMetricsOfADivergedRunAreKeptAndRendered() throws {
    let directory = TemporaryDirectory()
    try EvaluationMetrics.write(["top1_accuracy": 1.5, "mean_abs_correlation_S4": .infinity, "test_cross_entropy": .nan],
                                to: directory.url)
    let read = try EvaluationMetrics.read(from: directory.url)
    #expect(read["top1_accuracy"] == 1.5 && read["mean_abs_correlation_S4"] == .infinity)
    #expect(read["test_cross_entropy"]?.isNaN == true)
    #expect(EvaluationMetrics.configValue(-.infinity) == .string("-inf"))
  }
}
