import Engine

/// A built network of the paper: its layers under torchvision's parameter names, its five stage
/// probes, its MFD taps (per the configured placement), and the penultimate-feature hook.
public final class Network: Layer {
  public let configuration: ModelConfiguration
  /// The layers; the network's state names are this Sequential's.
  public let body: Sequential
  /// S0…S4 in order.
  public let stageProbes: [StageProbe]
  /// The MFD taps in forward order (empty for placement `none`).
  public let mfdTaps: [MFDTap]
  /// The penultimate embedding: the pooled features before the classifier, or for a face head
  /// the output of its `embed` layer (what the center loss acts on).
  public let embedding: FeatureHook

  /// Builds the network described by `configuration`; parameters stay zero until `initialise(seed:)`.
  public init(_ configuration: ModelConfiguration) throws(ModelConfigurationError) {
    try configuration.validate()
    self.configuration = configuration
    var plan = TapPlan(placement: configuration.mfdPlacement, lambda: configuration.mfdLambda)
    switch configuration.architecture {
    case .resnet50:
      body = buildResNet(configuration, style: BottleneckStyle(groups: 1, widthPerGroup: 64), plan: &plan)
    case .resnext50_32x4d:
      body = buildResNet(configuration, style: BottleneckStyle(groups: 32, widthPerGroup: 4), plan: &plan)
    case .densenet121:
      body = buildDenseNet(configuration, plan: &plan)
    case .mobilenet_v2:
      body = buildMobileNetV2(configuration, plan: &plan)
    case .mobilenet_v2_cifar:
      body = buildMobileNetV2CIFAR(configuration, plan: &plan)
    }
    stageProbes = plan.probes
    mfdTaps = plan.taps
    embedding = body.allLayers().compactMap { $0 as? FeatureHook }.first!
    // One pool for the whole network: a backward pass holds only the gradients in flight.
    attachGradientPool()
  }

  public var children: [(name: String, layer: any Layer)] { [("", body)] }

  /// - input: [n, inputChannels, h, w] → logits [n, classes]
  public func forward(_ input: Tensor, mode: Mode) -> Tensor { body.forward(input, mode: mode) }
  public func backward(_ gradOutput: Tensor) -> Tensor { body.backward(gradOutput) }
  public func releaseGradient() { body.releaseGradient() }

  public func outputShape(for inputShape: [Int]) throws(ShapeError) -> [Int] {
    guard inputShape.count == 4, inputShape[1] == configuration.inputChannels else {
      throw ShapeError(layer: configuration.architecture.rawValue,
                       expected: "[n, \(configuration.inputChannels), h, w] images",
                       actual: inputShape)
    }
    return try body.outputShape(for: inputShape)
  }

  public func macs(for inputShape: [Int]) -> Int { body.macs(for: inputShape) }

  /// The output shapes of S0…S4 for a batch of one image of `side`×`side` pixels.
  public func stageShapes(side: Int) throws(ShapeError) -> [[Int]] {
    _ = try outputShape(for: [1, configuration.inputChannels, side, side])
    return stageProbes.map { $0.lastShape ?? [] }
  }

  /// Forward multiply-accumulates for one image of `side`×`side` pixels (conv and linear only,
  /// as the paper's and the reference's counts are).
  public func macsPerImage(side: Int) -> Int { macs(for: [1, configuration.inputChannels, side, side]) }
}
