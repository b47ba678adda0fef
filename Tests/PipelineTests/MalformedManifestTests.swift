import Foundation
import Testing
@testable import Pipeline

/// One broken manifest: how to break the toy manifest, and what the error must say.
struct MalformedCase: Sendable, CustomTestStringConvertible {
  let name: String
  /// Produces the broken text from the valid toy manifest.
  let text: @Sendable (String) -> String
  /// Substring of the error's key path.
  let key: String
  /// Substring of the message.
  let message: String
  /// Text that must appear on the line the error points at (nil: only check that a line is given).
  let lineToken: String?

  var testDescription: String { name }

  init(_ name: String, key: String, message: String, line lineToken: String?, _ text: @escaping @Sendable (String) -> String) {
    self.name = name
    self.text = text
    self.key = key
    self.message = message
    self.lineToken = lineToken
  }
}

private func replacing(_ old: String, _ new: String) -> @Sendable (String) -> String {
  { text in
    precondition(text.contains(old), "fixture text lacks \(old)")
    return text.replacingOccurrences(of: old, with: new)
  }
}

private let corpus: [MalformedCase] = [
  MalformedCase("misspelt top-level key", key: "tabel", message: "did you mean 'table'", line: "tabel:", replacing("table:\n", "tabel:\n")),
  MalformedCase("misspelt loss key", key: "grid.loss[1].lamdba", message: "did you mean 'lambda'", line: "lamdba",
                replacing("lambda: 1,", "lamdba: 1,")),
  MalformedCase("wrong type", key: "report.decimals", message: "expected an integer, found 'two'", line: "decimals",
                replacing("decimals: 2", "decimals: two")),
  MalformedCase("missing key", key: "grid.dataset", message: "missing required key 'dataset'", line: "grid:",
                replacing("  dataset: [toyset]\n", "")),
  MalformedCase("empty grid axis", key: "grid.model", message: "list is empty", line: "model:",
                replacing("[net_a, net_b]", "[]")),
  MalformedCase("duplicate key", key: "model", message: "duplicate key", line: "model:",
                replacing("  dataset: [toyset]\n", "  model: [net_c]\n  dataset: [toyset]\n")),
  MalformedCase("lambda without placement", key: "grid.loss[1].lambda", message: "needs a placement", line: "lambda",
                replacing("lambda: 1, placement: stages,", "lambda: 1,")),
  MalformedCase("misspelt placement", key: "grid.loss[1].placement", message: "did you mean 'stages'", line: "placement",
                replacing("placement: stages", "placement: stage")),
  MalformedCase("published value for a model not in the grid", key: "published.values[0].model", message: "not a model of the grid",
                line: "net_c", replacing("- {model: net_a, dataset: toyset, loss: softmax", "- {model: net_c, dataset: toyset, loss: softmax")),
  MalformedCase("published cell missing", key: "published", message: "no published value for 1 cell(s): net_b-toyset-mfd1",
                line: "published:", replacing("    - {model: net_b, dataset: toyset, loss: mfd1, value: 91.5, tolerance: 0.1}\n", "")),
  MalformedCase("published loss tag misspelt", key: "published.values[1].loss", message: "did you mean 'mfd1'", line: "mfd",
                replacing("loss: mfd1, value: 91.5}", "loss: mfd_1, value: 91.5}")),
  MalformedCase("YAML syntax error", key: "", message: "invalid YAML", line: nil, replacing("model: [net_a, net_b]", "model: [net_a, net_b")),
  MalformedCase("misspelt setting in a profile override", key: "profiles.smoke.optimiser", message: "did you mean 'optimizer'",
                line: "optimiser", { $0 + "profiles:\n  smoke:\n    optimiser: {lr: 1}\n" }),
  MalformedCase("setting of the wrong type in a profile", key: "profiles.smoke.schedule.epochs", message: "expected an integer",
                line: "epochs", { $0 + "profiles:\n  smoke:\n    schedule: {epochs: 1.5}\n" }),
  MalformedCase("profile extends an unknown profile", key: "profiles.fast.extends", message: "extends unknown profile 'papr'",
                line: "fast:", { $0 + "profiles:\n  fast:\n    extends: papr\n" }),
  MalformedCase("milestones not ascending", key: "schedule.milestones", message: "strictly ascending", line: "milestones",
                { $0 + "profiles:\n  smoke:\n    schedule: {milestones: [5, 2]}\n" }),
  MalformedCase("report axes do not cover the grid", key: "report", message: "each of model, dataset, loss exactly once",
                line: "report:", replacing("columns: [loss]", "columns: [model]")),
  MalformedCase("non-positive tolerance", key: "published.tolerance", message: "tolerance must be > 0", line: "tolerance",
                replacing("tolerance: 1.0", "tolerance: -1")),
  MalformedCase("scalar where a list belongs", key: "grid.model", message: "expected a list, found 'net_a'", line: "model:",
                replacing("[net_a, net_b]", "net_a")),
  MalformedCase("profiles file missing", key: "profiles_file", message: "does not exist", line: "profiles_file",
                replacing("profiles_file: profiles.yaml", "profiles_file: nowhere.yaml")),
  MalformedCase("unknown Slurm resource key", key: "profiles.smoke.slurm.train.gpus", message: "unknown key 'gpus'",
                line: "gpus", { $0 + "profiles:\n  smoke:\n    slurm:\n      train: {cpus: 2, gpus: 1}\n" }),
  MalformedCase("misspelt Slurm resource key", key: "profiles.smoke.slurm.default.partiton", message: "did you mean 'partition'",
                line: "partiton", { $0 + "profiles:\n  smoke:\n    slurm:\n      default:\n        partiton: cpu\n" }),
  MalformedCase("Slurm section for an unknown step kind", key: "profiles.smoke.slurm.training", message: "unknown key 'training'",
                line: "training", { $0 + "profiles:\n  smoke:\n    slurm:\n      training: {cpus: 2}\n" }),
  MalformedCase("Slurm time limit that Slurm would reject", key: "profiles.smoke.slurm.train.time", message: "not a Slurm time limit",
                line: "time", { $0 + "profiles:\n  smoke:\n    slurm:\n      train: {time: 2h}\n" }),
  MalformedCase("Slurm extra line that is not an option", key: "profiles.smoke.slurm.default.extra[0]", message: "not an sbatch option",
                line: "qos", { $0 + "profiles:\n  smoke:\n    slurm:\n      default: {extra: [qos=short]}\n" }),
  MalformedCase("unknown executor", key: "profiles.smoke.executor", message: "not one of local, slurm",
                line: "executor", { $0 + "profiles:\n  smoke:\n    executor: slrum\n" }),
  MalformedCase("document is a scalar", key: "", message: "expected a mapping of keys", line: nil, { _ in "hello\n" }),
  MalformedCase("empty document", key: "", message: "the file is empty", line: nil, { _ in "" }),
  MalformedCase("loss listed twice", key: "grid.loss[1]", message: "listed twice", line: "base",
                replacing("- {base: softmax, lambda: 1, placement: stages, label: \"Softmax + MFD\"}", "- {base: softmax}")),
  MalformedCase("metric and metrics both", key: "report", message: "either 'metric' or 'metrics'", line: "report:",
                replacing("metric: top1_accuracy", "metric: top1_accuracy\n  metrics: [top1_accuracy, loss]")),
  MalformedCase("metric axis with one metric", key: "report", message: "'metric' only with several metrics", line: "report:",
                replacing("columns: [loss]", "columns: [loss, metric]")),
  MalformedCase("several metrics not laid out", key: "report", message: "'metric' lays out the metrics", line: "report:",
                replacing("metric: top1_accuracy", "metrics: [top1_accuracy, loss]")),
  MalformedCase("metric listed twice", key: "report.metrics[1]", message: "listed twice", line: "metrics",
                replacing("metric: top1_accuracy", "metrics: [top1_accuracy, top1_accuracy]")),
  MalformedCase("published without tolerance", key: "published", message: "compare: false", line: "published",
                replacing("  tolerance: 1.0\n", "")),
  MalformedCase("face-loss parameter on softmax", key: "grid.loss[0].scale", message: "applies to am_softmax, arcface, not softmax",
                line: "scale", replacing("{base: softmax, label: Softmax}", "{base: softmax, scale: 7.5, label: Softmax}")),
  MalformedCase("arcface margin out of range", key: "grid.loss[0].margin", message: "below π/2",
                line: "margin", replacing("{base: softmax, label: Softmax}", "{base: arcface, margin: 2}")),
  MalformedCase("center alpha out of range", key: "grid.loss[0].center_alpha", message: "center_alpha must be in (0, 1]",
                line: "center_alpha", replacing("{base: softmax, label: Softmax}", "{base: center, center_alpha: 1.5}")),
  MalformedCase("non-positive scale", key: "grid.loss[0].scale", message: "scale s must be positive",
                line: "scale", replacing("{base: softmax, label: Softmax}", "{base: am_softmax,\n       scale: 0}")),
  MalformedCase("embedding width not an integer", key: "grid.loss[0].embedding_features", message: "expected an integer",
                line: "embedding_features", replacing("{base: softmax, label: Softmax}", "{base: center, embedding_features: 1.5}")),
  MalformedCase("figure of an unknown kind", key: "figures[0].kind", message: "not one of accuracy_curves, feature_maps", line: "kind",
                { $0 + "figures:\n  - {id: f, kind: heatmap, model: net_a, dataset: toyset, losses: [softmax]}\n" }),
  MalformedCase("figure of a loss outside the grid", key: "figures[0].losses[1]", message: "not a loss tag of the grid", line: "mfd2",
                { $0 + "figures:\n  - {id: f, kind: accuracy_curves, model: net_a, dataset: toyset, losses: [softmax, mfd2]}\n" }),
  MalformedCase("feature maps of stage 7", key: "figures[0].stage", message: "stage must be in 0...4", line: "stage",
                { $0 + "figures:\n  - {id: f, kind: feature_maps, model: net_a, dataset: toyset, losses: [softmax], stage: 7}\n" }),
  MalformedCase("curves given a stage", key: "figures[0].stage", message: "unknown key", line: "stage",
                { $0 + "figures:\n  - {id: f, kind: accuracy_curves, model: net_a, dataset: toyset, losses: [softmax], stage: 0}\n" }),
  MalformedCase("identifier with a dash (breaks step ids)", key: "grid.model[0]", message: "lowercase letters, digits and _",
                line: "net-a", replacing("[net_a, net_b]", "[net-a, net_b]")),
]

@Suite struct MalformedManifestTests {
  @Test(arguments: corpus)
  func malformedManifestFailsWithFileLineAndKey(_ broken: MalformedCase) {
    let directory = TemporaryDirectory()
    _ = directory.write(Fixtures.profiles, to: "profiles.yaml")
    let text = broken.text(Fixtures.manifest())
    let path = directory.write(text, to: "toy.yaml")
    do {
      _ = try ManifestLoader.load(path: path)
      Issue.record("\(broken.name): loaded without an error")
    } catch {
      #expect(error.location.file == path)
      #expect(error.location.line >= 1, "\(error)")
      #expect(error.description.hasPrefix("\(path):\(error.location.line):"), "\(error)")
      #expect(broken.key.isEmpty || error.keyPath.contains(broken.key), "\(error)")
      #expect(error.message.contains(broken.message), "\(error)")
      if let token = broken.lineToken {
        let lines = text.components(separatedBy: "\n")
        let line = error.location.line <= lines.count ? lines[error.location.line - 1] : ""
        #expect(line.contains(token), "\(error) points at '\(line)'")
      }
    }
  }

  @Test func missingManifestFileIsAnErrorNamingThePath() {
    #expect(throws: ManifestError.self) { _ = try ManifestLoader.load(path: "/nonexistent/table9.yaml") }
  }

  @Test func unknownProfileSuggestsTheClosest() throws {
    let directory = TemporaryDirectory()
    let manifest = try Fixtures.load(directory)
    #expect {
      _ = try manifest.resolveProfile("smok")
    } throws: { error in
      (error as? ManifestError)?.description.contains("did you mean 'smoke'") == true
    }
  }
}
