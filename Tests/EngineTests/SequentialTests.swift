import Engine
import Kernels
import Testing
import TestSupport

/// Records the order in which its layers run.
private final class CallLog { var entries: [String] = [] }

/// An identity layer that logs its calls.
private final class Recorder: Layer {
  let name: String
  let log: CallLog
  init(_ name: String, _ log: CallLog) { self.name = name; self.log = log }
  func outputShape(for inputShape: [Int]) throws(ShapeError) -> [Int] { inputShape }
  func forward(_ input: Tensor, mode: Mode) -> Tensor { log.entries.append("forward \(name)"); return input }
  func backward(_ gradOutput: Tensor) -> Tensor { log.entries.append("backward \(name)"); return gradOutput }
}

@Suite struct SequentialTests {
  @Test func defaultNamesAreIndicesInOrder() {
    let model = Sequential(Linear(inFeatures: 4, outFeatures: 3), ReLU(), Linear(inFeatures: 3, outFeatures: 2))
    #expect(model.children.map(\.name) == ["0", "1", "2"])
    #expect(model.namedParameters().map(\.name) == ["0.weight", "0.bias", "2.weight", "2.bias"])
  }

  @Test func explicitNamesNestIntoDottedPaths() {
    let model = Sequential(named: [
      ("features", Sequential(named: [("conv1", ChannelMix(3, 4)), ("bn1", BatchNorm2d(channels: 4))])),
      ("pool", AdaptiveAvgPool2d(outputSize: 1)), ("flatten", Flatten()),
      ("fc", Linear(inFeatures: 4, outFeatures: 5)),
    ])
    #expect(model.namedState().map(\.name) == [
      "features.conv1.weight", "features.bn1.weight", "features.bn1.bias",
      "features.bn1.running_mean", "features.bn1.running_var", "features.bn1.num_batches_tracked",
      "fc.weight", "fc.bias",
    ])
  }

  @Test func forwardRunsInOrderAndBackwardInReverse() {
    let log = CallLog()
    let model = Sequential(Recorder("a", log), Recorder("b", log), Recorder("c", log))
    let x = Tensor(zeros: [1])
    _ = model.backward(model.forward(x, mode: .train))
    #expect(log.entries == ["forward a", "forward b", "forward c", "backward c", "backward b", "backward a"])
  }

  @Test func backwardMatchesFiniteDifferenceThroughTheWholeChain() throws {
    let model = Sequential(named: [
      ("conv1", ChannelMix(3, 4)), ("bn1", BatchNorm2d(channels: 4)), ("relu", ReLU()),
      ("pool", AdaptiveAvgPool2d(outputSize: 1)), ("flatten", Flatten()),
      ("fc", Linear(inFeatures: 4, outFeatures: 3)),
    ])
    model.initialise(seed: 1)
    let x = randomTensor([3, 3, 2, 2], seed: 2)
    try #require(reluKinkMargin(model, input: x).margin > 5e-3, "seeds must keep ReLU inputs off the kink")
    let errors = layerGradientErrors(model, input: x, step: 1e-3)
    #expect(errors.input < 1e-2)
    #expect(errors.parameters.count == 5)
    for (name, error) in errors.parameters { #expect(error < 1e-2, "\(name)") }
  }

  @Test func initialisationWalksChildrenInOrder() {
    let model = Sequential(Linear(inFeatures: 3, outFeatures: 2), Linear(inFeatures: 2, outFeatures: 2))
    model.initialise(seed: 5)
    let first = Linear(inFeatures: 3, outFeatures: 2), second = Linear(inFeatures: 2, outFeatures: 2)
    var generator = SeededGenerator(seed: 5, stream: [SeededGenerator.label("init")])
    first.resetParameters(using: &generator)
    second.resetParameters(using: &generator)
    #expect(model.namedParameters().flatMap(\.parameter.value.values)
      == first.weight.value.values + first.bias!.value.values + second.weight.value.values + second.bias!.value.values)
  }

  @Test func shapeErrorNamesThePathAndBothShapes() {
    let model = Sequential(named: [
      ("features", Sequential(Linear(inFeatures: 4, outFeatures: 3), Linear(inFeatures: 5, outFeatures: 2))),
    ])
    do {
      _ = try model.outputShape(for: [2, 4])
      Issue.record("expected a ShapeError")
    } catch {
      #expect(error == ShapeError(layer: "Linear", expected: "[*, 5]", actual: [2, 3]).at("1").at("features"))
      #expect(error.description == "shape mismatch in features.1 (Linear): expected [*, 5], got [2, 3]")
    }
  }

  @Test func outputShapeAndMacsChainThroughChildren() throws {
    let model = Sequential(Linear(inFeatures: 4, outFeatures: 3), ReLU(), Linear(inFeatures: 3, outFeatures: 2))
    #expect(try model.outputShape(for: [2, 4]) == [2, 2])
    #expect(model.macs(for: [2, 4]) == 2 * 4 * 3 + 2 * 3 * 2)
  }
}
