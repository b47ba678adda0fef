import Foundation
import Testing
@testable import Pipeline

@Suite struct PlannerTests {
  @Test func emptyStorePlansEveryStepAsMissing() throws {
    let bench = TestBench()
    let sweep = try Fixtures.sweep(bench.directory)
    let plan = bench.plan(sweep)
    #expect(plan.entries.count == sweep.graph.steps.count)
    #expect(plan.entries.allSatisfy { $0.reason == .missing })
    // Only steps without inputs have a key before anything ran.
    #expect(plan.entries.filter { $0.key != nil }.map(\.step.id) == [StepID(.fetch, "toyset")])
  }

  @Test func afterARunEverythingIsUpToDateAndNothingRunsAgain() throws {
    let bench = TestBench()
    let sweep = try Fixtures.sweep(bench.directory)
    let summary = try bench.run(sweep)
    #expect(summary.succeeded)
    #expect(bench.runner.totalExecutions == sweep.graph.steps.count - 1)  // aggregate is the built-in runner
    #expect(bench.plan(sweep).entries.allSatisfy { $0.reason == .upToDate })
    let again = try bench.run(sweep)
    #expect(again.outcomes.isEmpty)
    #expect(bench.runner.totalExecutions == sweep.graph.steps.count - 1)
  }

  @Test func changedSettingIsNamedAsTheReason() throws {
    let bench = TestBench()
    try bench.run(try Fixtures.sweep(bench.directory))
    let changed = try Fixtures.sweep(bench.directory, set: ["optimizer.lr=0.05"])
    let plan = bench.plan(changed)
    let train = try #require(plan[StepID(.train, "net_a-toyset-softmax-s0")])
    #expect(train.reason == .configChanged(["settings.optimizer.lr"]))
    #expect(plan[StepID(.fetch, "toyset")]?.reason == .upToDate)
    #expect(plan[StepID(.evaluate, "net_a-toyset-softmax-s0")]?.reason == .inputChanged([StepID(.train, "net_a-toyset-softmax-s0")]))
  }

  @Test func changedCodeVersionIsNamedAsTheReason() throws {
    let bench = TestBench()
    let sweep = try Fixtures.sweep(bench.directory)
    try bench.run(sweep)
    var registry = bench.registry
    registry.register(FakeStepRunner(codeVersion: "fake-2"), for: .fetch)
    let plan = bench.plan(sweep, registry: registry)
    #expect(plan[StepID(.fetch, "toyset")]?.reason == .codeChanged(from: "fake-1", to: "fake-2"))
    #expect(plan[StepID(.preprocess, "toyset")]?.reason == .inputChanged([StepID(.fetch, "toyset")]))
  }

  @Test func inputRebuiltToIdenticalBytesDoesNotRerunItsReaders() throws {
    let bench = TestBench()
    let sweep = try Fixtures.sweep(bench.directory)
    try bench.run(sweep)
    let fetch = try #require(bench.plan(sweep)[StepID(.fetch, "toyset")]?.key)
    try bench.store.remove(fetch)
    let before = bench.runner.totalExecutions
    let summary = try bench.run(sweep)
    #expect(bench.runner.totalExecutions == before + 1)  // fetch only
    #expect(summary.outcomes[StepID(.preprocess, "toyset")] == .reused)
  }

  @Test func planOfTable5AtThePaperProfileTakesUnderAFifthOfASecond() throws {
    let bench = TestBench()
    let started = ContinuousClock.now
    let sweep = try Sweep.load(manifestPath: repositoryRoot.appendingPathComponent("manifests/table5.yaml").path, profile: "paper")
    let cost = ThroughputCostModel(forwardMACs: { _, _ in 1.3e9 },
                                   datasets: ["cifar10": DatasetCost(trainImages: 50_000, testImages: 10_000, side: 32, fetchSeconds: 1, preprocessSeconds: 1)],
                                   machineGFLOPS: 100)
    let plan = Planner(store: bench.store, registry: bench.registry, costModel: cost, jobs: 2, totalThreads: 2).plan(sweep.graph)
    let elapsed = ContinuousClock.now - started
    #expect(plan.entries.count == 153)
    #expect(elapsed < .milliseconds(200), "plan took \(elapsed)")
  }

  @Test func throughputCostModelIsFlopsTimesImagesOverThroughput() throws {
    let bench = TestBench()
    let sweep = try Fixtures.sweep(bench.directory, profile: "paper")
    let cost = ThroughputCostModel(forwardMACs: { model, side in model == "net_a" && side == 32 ? 1e9 : nil },
                                   datasets: ["toyset": DatasetCost(trainImages: 1000, testImages: 500, side: 32, fetchSeconds: 3, preprocessSeconds: 4)],
                                   machineGFLOPS: 100)
    let train = try #require(sweep.graph[StepID(.train, "net_a-toyset-softmax-s0")])
    // 3 passes × 2 FLOP/MAC × 1e9 MAC × 1000 images × 100 epochs ÷ (100 GFLOP/s × 1/2 of the threads).
    let expectedTrain: Double = 3.0 * 2.0 * 1e9 * 1000.0 * 100.0 / 50e9
    #expect(cost.estimatedSeconds(for: train, threads: 1, totalThreads: 2) == expectedTrain)
    let evaluate = try #require(sweep.graph[StepID(.evaluate, "net_a-toyset-softmax-s0")])
    let expectedEvaluate: Double = 2.0 * 1e9 * 500.0 / 100e9
    #expect(cost.estimatedSeconds(for: evaluate, threads: 2, totalThreads: 2) == expectedEvaluate)
    #expect(cost.estimatedSeconds(for: sweep.graph[StepID(.train, "net_b-toyset-softmax-s0")]!, threads: 2, totalThreads: 2) == nil)
    #expect(cost.estimatedSeconds(for: sweep.graph[StepID(.fetch, "toyset")]!, threads: 2, totalThreads: 2) == 3)
  }

  /// A cost model that predicts 100 s for every train step of net_a and 1000 s for net_b.
  struct FixedCostModel: CostModel {
    func estimatedSeconds(for step: Step, threads: Int, totalThreads: Int) -> Double? {
      guard step.id.kind == .train else { return nil }
      return step.config[path: "model"]?.stringValue == "net_a" ? 100 : 1000
    }
  }

  @Test func estimatesOfStepsToRunAreScaledByWhatFinishedStepsTook() throws {
    let bench = TestBench()
    try bench.run(try Fixtures.sweep(bench.directory))
    let more = try Fixtures.sweep(bench.directory, set: ["seeds=0,1,2"])
    let planner = Planner(store: bench.store, registry: bench.registry, costModel: FixedCostModel(), jobs: 1, totalThreads: 2)
    let plan = planner.plan(more.graph)
    #expect(plan.calibrationSamples == 8)  // 2 models × 2 losses × seeds 0, 1
    // The fake runner takes milliseconds, so the measured rate scales 100 s and 1000 s down alike.
    let ratio = { (model: String) -> Double in
      let done = plan.entries.filter { $0.record != nil && $0.step.id.kind == .train && $0.step.config[path: "model"]?.stringValue == model }
      let times = done.map { $0.record!.seconds }.sorted()
      return (times[1] + times[2]) / 2 / (model == "net_a" ? 100 : 1000)
    }
    let newA = try #require(plan[StepID(.train, "net_a-toyset-softmax-s2")]?.estimatedSeconds)
    let newB = try #require(plan[StepID(.train, "net_b-toyset-softmax-s2")]?.estimatedSeconds)
    #expect(abs(newA - 100 * ratio("net_a")) < 1e-9 && abs(newB - 1000 * ratio("net_b")) < 1e-9)
    #expect(newA < 100 && newB < 1000)
  }
}
