import Foundation
import Testing
@testable import Pipeline

/// A training setting as a grid axis (`grid.settings`).
@Suite struct SettingAxisTests {
  static func manifest(settings: String = "{optimizer.lr: [0.1, 0.05]}", rows: String = "[model, dataset, setting]") -> String {
    Fixtures.manifest(published: false)
      .replacingOccurrences(of: "  dataset: [toyset]\n", with: "  dataset: [toyset]\n  settings: \(settings)\n")
      .replacingOccurrences(of: "rows: [model, dataset]", with: "rows: \(rows)")
  }

  @Test func settingAxisMultipliesTheCellsWithReadableIdsAndOverriddenConfigs() throws {
    let directory = TemporaryDirectory()
    let sweep = try Fixtures.sweep(directory, text: Self.manifest())
    #expect(sweep.manifest.variants.map(\.tag) == ["lr0.1", "lr0.05"])
    #expect(sweep.manifest.cells.count == 8)
    let trains = sweep.graph.steps.filter { $0.id.kind == .train }
    #expect(trains.count == 16)
    let step = try #require(sweep.graph[StepID(.train, "net_a-toyset-mfd1-lr0.05-s1")])
    #expect(step.config[path: "settings.optimizer.lr"] == .double(0.05))
    #expect(step.config[path: "settings.schedule.epochs"] == .int(1))  // The rest is the profile's.
    #expect(sweep.graph[StepID(.evaluate, "net_a-toyset-mfd1-lr0.05-s1")]?.config[path: "setting"] == .string("lr0.05"))
  }

  @Test func reportLaysOutTheSettingAxis() throws {
    let bench = TestBench()
    let sweep = try Fixtures.sweep(bench.directory, text: Self.manifest())
    try bench.run(sweep)
    let report = try TableReport(manifest: sweep.manifest, profile: sweep.profile, plan: bench.plan(sweep), store: bench.store)
    #expect(report.isComplete)
    #expect(report.markdown.contains("| Model | Dataset | Setting | Softmax | Softmax + MFD |"))
    #expect(report.markdown.contains("| net_b | toyset | lr0.05 | 90.50 ± 0.71 | 91.50 ± 0.71 |"))
    #expect(report.csv.hasPrefix("model,dataset,loss,setting,metric,n,"))
  }

  @Test(arguments: [
    ("{optimizer.lrr: [0.1]}", "[model, dataset, setting]", "did you mean 'optimizer.lr'"),
    ("{seeds: [[0]]}", "[model, dataset, setting]", "seeds come from the profile"),
    ("{optimizer.lr: []}", "[model, dataset, setting]", "list is empty"),
    ("{optimizer.lr: [0.1, 0.1]}", "[model, dataset, setting]", "value listed twice"),
    ("{optimizer.lr: [fast]}", "[model, dataset, setting]", "expected a number"),
    ("{optimizer.lr: [0.1]}", "[model, dataset]", "each of model, dataset, loss, setting exactly once"),
  ])
  func badSettingAxesAreLocatedErrors(_ settings: String, _ rows: String, _ message: String) {
    let directory = TemporaryDirectory()
    #expect {
      _ = try Fixtures.load(directory, text: Self.manifest(settings: settings, rows: rows))
    } throws: { error in
      guard let error = error as? ManifestError else { return false }
      return error.location.line > 0 && error.message.contains(message)
    }
  }
}
