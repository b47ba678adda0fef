import Foundation
import Testing
@testable import Pipeline

@Suite struct GridAndKeyTests {
  @Test func table5AtThePaperProfileExpandsTo153ReadableSteps() throws {
    let manifest = try ManifestLoader.load(path: repositoryRoot.appendingPathComponent("manifests/table5.yaml").path)
    let graph = GridExpansion.graph(for: manifest, profile: try manifest.resolveProfile("paper"))
    let byKind = Dictionary(grouping: graph.steps, by: \.id.kind).mapValues(\.count)
    #expect(byKind == [.fetch: 4, .preprocess: 4, .train: 72, .evaluate: 72, .aggregate: 1])
    let train = try #require(graph[StepID(parsing: "train@resnext50_32x4d-cifar100-mfd1-s0")!])
    #expect(train.inputs == [StepID(.preprocess, "cifar100")])
    #expect(train.config[path: "settings.optimizer.lr"] == .double(0.1))
    #expect(train.config[path: "loss.mfd_placement"] == .string("stages"))
    let evaluate = try #require(graph[StepID(.evaluate, "mobilenet_v2-facescrub-softmax-s2")])
    #expect(evaluate.inputs == [StepID(.train, "mobilenet_v2-facescrub-softmax-s2"), StepID(.preprocess, "facescrub")])
    #expect(graph[StepID(.aggregate, "table5")]?.inputs.count == 72)
  }

  @Test func expansionIsDeterministicAndTopologicallyOrdered() throws {
    let directory = TemporaryDirectory()
    let a = try Fixtures.sweep(directory).graph, b = try Fixtures.sweep(directory).graph
    #expect(a.steps == b.steps)
    var seen = Set<StepID>()
    for step in a.steps {
      #expect(step.inputs.allSatisfy(seen.contains), "\(step.id) comes before an input")
      seen.insert(step.id)
    }
  }

  @Test func equalStepsOfTwoManifestsAreShared() throws {
    let directory = TemporaryDirectory()
    let toy = try Fixtures.sweep(directory).graph
    let widerText = Fixtures.manifest(published: false, datasets: "[toyset, other]").replacingOccurrences(of: "id: toy", with: "id: toy_wide")
    let wider = try Fixtures.sweep(directory, text: widerText).graph
    let merged = try toy.merged(with: wider)
    // Every toy step but its own aggregate is one of the wider grid's steps, config and all.
    #expect(merged.steps.count == wider.steps.count + 1)
    #expect(toy.steps.filter { $0.id.kind != .aggregate }.allSatisfy { wider[$0.id] == $0 })
  }

  @Test func sameIdWithADifferentConfigIsAConflict() throws {
    let directory = TemporaryDirectory()
    let smoke = try Fixtures.sweep(directory).graph
    let longer = try Fixtures.sweep(directory, set: ["schedule.epochs=2"]).graph
    #expect(throws: StepGraph.ConflictError.self) { _ = try smoke.merged(with: longer) }
  }

  @Test func canonicalJSONSortsKeysAndFormatsNumbersExactly() {
    let value = ConfigValue.object(["b": .double(0.0005), "a": .array([.int(3), .double(1), .double(0.1), .null]),
                                    "c": .object(["z": .bool(true), "y": .string("q\"\\\n")])])
    #expect(value.canonicalJSON == #"{"a":[3,1.0,0.1,null],"b":0.0005,"c":{"y":"q\"\\\n","z":true}}"#)
  }

  @Test func stepKeyChangesWithEveryComponentAndNothingElse() {
    let config = ConfigValue.object(["lr": .double(0.1)])
    let inputs = [(id: StepID(.fetch, "d"), digest: "abc")]
    let base = StepKey.compute(kind: .train, config: config, codeVersion: "v1", inputs: inputs)
    #expect(base == StepKey.compute(kind: .train, config: config, codeVersion: "v1", inputs: inputs))
    #expect(base.hex.count == 64)
    let variants = [
      StepKey.compute(kind: .evaluate, config: config, codeVersion: "v1", inputs: inputs),
      StepKey.compute(kind: .train, config: .object(["lr": .double(0.01)]), codeVersion: "v1", inputs: inputs),
      StepKey.compute(kind: .train, config: config, codeVersion: "v2", inputs: inputs),
      StepKey.compute(kind: .train, config: config, codeVersion: "v1", inputs: [(id: StepID(.fetch, "d"), digest: "abd")]),
    ]
    #expect(Set(variants + [base]).count == 5)
  }

  @Test(arguments: [
    (LossSpec(base: "softmax", lambda: 0, placement: .none), "softmax"),
    (LossSpec(base: "softmax", lambda: 1, placement: .stages), "mfd1"),
    (LossSpec(base: "softmax", lambda: 0.1, placement: .stages), "mfd0.1"),
    (LossSpec(base: "softmax", lambda: 10, placement: .blocks), "mfd10-blocks"),
    (LossSpec(base: "arcface", lambda: 1, placement: .stages), "arcface-mfd1"),
  ])
  func lossTagsAreShortAndReadable(_ loss: LossSpec, _ tag: String) {
    #expect(loss.tag == tag)
  }

  @Test func figuresBecomeStepsAfterTheModelsTheyDraw() throws {
    let directory = TemporaryDirectory()
    let text = Fixtures.manifest() + """
      figures:
        - {id: curves, kind: accuracy_curves, model: net_a, dataset: toyset, losses: [softmax, mfd1]}
        - {id: maps, kind: feature_maps, model: net_b, dataset: toyset, losses: [mfd1], stage: 1, image: 3}

      """
    let sweep = try Fixtures.sweep(directory, text: text)
    let curves = try #require(sweep.graph.steps.first { $0.id == StepID(.figure, "curves") })
    #expect(curves.inputs == [StepID(.train, "net_a-toyset-softmax-s0"), StepID(.train, "net_a-toyset-softmax-s1"),
                              StepID(.train, "net_a-toyset-mfd1-s0"), StepID(.train, "net_a-toyset-mfd1-s1")])
    let maps = try #require(sweep.graph.steps.first { $0.id == StepID(.figure, "maps") })
    #expect(maps.inputs == [StepID(.train, "net_b-toyset-mfd1-s0"), StepID(.preprocess, "toyset")])
    #expect(maps.config[path: "stage"] == .int(1) && maps.config[path: "image"] == .int(3) && maps.config[path: "channels"] == .int(64))
  }
}
