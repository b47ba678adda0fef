import Engine

// DenseNet121 as torchvision defines it (growth 32, bottleneck width 4·growth, blocks 6-12-24-16,
// compression 0.5), with the paper's stem: conv0 is a 3×3 stride-1 conv followed by norm0 and
// relu0; pool0 is kept only when `stemPool` is set (64×64 inputs). Names are torchvision's:
// `features.conv0.weight`, `features.denseblock1.denselayer1.conv1.weight`,
// `features.transition1.conv.weight`, `features.norm5.weight`, `classifier.weight`.
// (kuangliu's CIFAR DenseNet121 has no norm0: 128 parameters fewer, same MACs.)
//
// Stages: S0 = relu0's output (before the pool); S1…S4 = the outputs of denseblock1…4, the
// concatenated features at each resolution (transition k−1 belongs to stage k). These are
// pre-activation tensors, unlike ResNet's post-ReLU stage outputs.
// `blocks` placement: relu0 and, in every dense layer, the two post-ReLU activations (relu1 on
// the concatenated input, relu2 on the bottleneck): 1 + 58·2 = 117 tensors.

func buildDenseNet(_ config: ModelConfiguration, plan: inout TapPlan) -> Sequential {
  let growth = config.scaled(32)
  let bottleneck = 4 * growth
  var channels = config.scaled(64)
  var features: [(String, any Layer)] = [
    ("conv0", Conv2d(inChannels: config.inputChannels, outChannels: channels, kernelSize: 3, stride: 1, padding: 1, bias: false)),
    ("norm0", BatchNorm2d(channels: channels)),
    ("relu0", ReLU(inPlace: true)),
  ]
  features += plan.block("mfd_stem", label: "features.relu0")
  features += plan.stage(0)
  if config.stemPool { features.append(("pool0", MaxPool2d(kernelSize: 3, stride: 2, padding: 1))) }

  let blockSizes = [6, 12, 24, 16]
  for (index, layerCount) in blockSizes.enumerated() {
    let blockName = "denseblock\(index + 1)"
    var block: [(String, any Layer)] = []
    for layer in 1...layerCount {
      let path = "features.\(blockName).denselayer\(layer)"
      block.append(("denselayer\(layer)",
                    makeDenseLayer(inChannels: channels, bottleneck: bottleneck, growth: growth,
                                   path: path, plan: &plan)))
      channels += growth
    }
    features.append((blockName, Sequential(named: block)))
    features += plan.stage(index + 1)
    if index < blockSizes.count - 1 {
      let reduced = channels / 2
      features.append(("transition\(index + 1)", Sequential(named: [
        ("norm", BatchNorm2d(channels: channels)),
        ("relu", ReLU(inPlace: true)),
        ("conv", Conv2d(inChannels: channels, outChannels: reduced, kernelSize: 1, bias: false)),
        ("pool", AvgPool2d(kernelSize: 2, stride: 2)),
      ])))
      channels = reduced
    }
  }
  features.append(("norm5", BatchNorm2d(channels: channels)))
  let (prefix, classifier) = classifierLayers(features: channels, config: config)
  return Sequential(named: [
    ("features", Sequential(named: features)),
    ("relu", ReLU(inPlace: true)),
    ("avgpool", AdaptiveAvgPool2d(outputSize: 1)),
    ("flatten", Flatten()),
  ] + prefix + [("classifier", classifier)])
}

/// torchvision's `_DenseLayer`: BN, ReLU, 1×1 conv to the bottleneck width, BN, ReLU, 3×3 conv to
/// `growth` channels; its output is concatenated to its input.
private func makeDenseLayer(
  inChannels: Int, bottleneck: Int, growth: Int, path: String, plan: inout TapPlan
) -> DenseConcat {
  var layers: [(String, any Layer)] = [
    ("norm1", BatchNorm2d(channels: inChannels)),
    ("relu1", ReLU(inPlace: true)),
  ]
  layers += plan.block("mfd1", label: "\(path).relu1")
  layers += [
    ("conv1", Conv2d(inChannels: inChannels, outChannels: bottleneck, kernelSize: 1, bias: false)),
    ("norm2", BatchNorm2d(channels: bottleneck)),
    ("relu2", ReLU(inPlace: true)),
  ]
  layers += plan.block("mfd2", label: "\(path).relu2")
  layers.append(("conv2", Conv2d(inChannels: bottleneck, outChannels: growth, kernelSize: 3,
                                 padding: 1, bias: false)))
  return DenseConcat(Sequential(named: layers))
}
