import Engine

// ResNet50 and ResNeXt50-32x4d as torchvision defines them (bottleneck v1.5: the stride sits on
// the 3×3), with the paper's CIFAR stem: a 3×3 stride-1 conv instead of 7×7 stride 2, and the
// max-pool kept only when `stemPool` is set (64×64 inputs). Parameter names are torchvision's:
// `conv1.weight`, `layer1.0.conv2.weight`, `layer1.0.downsample.0.weight`, `fc.weight`.
//
// Stages: S0 = the stem's ReLU output (before the pool), S1…S4 = layer1…layer4 outputs.
// `blocks` placement: the stem's ReLU and the three post-ReLU activations of every bottleneck
// (after conv1, after conv2, after the residual sum): 1 + 16·3 = 49 tensors, exactly the set the
// authors' `blockDecorelation` sums (mfd-reference.md §2).

/// torchvision's `Bottleneck` hyper-parameters for one network.
struct BottleneckStyle {
  var groups: Int
  var widthPerGroup: Int
}

/// ResNet50 (`groups` 1, width 64) or ResNeXt50-32x4d (`groups` 32, width 4).
func buildResNet(_ config: ModelConfiguration, style: BottleneckStyle, plan: inout TapPlan) -> Sequential {
  let stem = config.scaled(64)
  var layers: [(String, any Layer)] = [
    ("conv1", Conv2d(inChannels: config.inputChannels, outChannels: stem, kernelSize: 3, stride: 1, padding: 1, bias: false)),
    ("bn1", BatchNorm2d(channels: stem)),
    ("relu", ReLU(inPlace: true)),
  ]
  layers += plan.block("mfd_stem", label: "relu")
  layers += plan.stage(0)
  if config.stemPool { layers.append(("maxpool", MaxPool2d(kernelSize: 3, stride: 2, padding: 1))) }

  var inChannels = stem
  for (index, (planes, blocks, stride)) in [(64, 3, 1), (128, 4, 2), (256, 6, 2), (512, 3, 2)].enumerated() {
    let name = "layer\(index + 1)"
    var stage: [(String, any Layer)] = []
    for block in 0..<blocks {
      let bottleneck = makeBottleneck(
        inChannels: inChannels, planes: config.scaled(planes), stride: block == 0 ? stride : 1,
        style: style, path: "\(name).\(block)", plan: &plan)
      stage.append(("\(block)", bottleneck))
      inChannels = config.scaled(planes) * 4
    }
    layers.append((name, Sequential(named: stage)))
    layers += plan.stage(index + 1)
  }
  return Sequential(named: layers + classifierHead(features: inChannels, config: config))
}

/// torchvision's `Bottleneck`: 1×1 reduce, 3×3 (grouped, strided), 1×1 expand ×4, each with BN;
/// ReLU after the first two and after the residual sum; a 1×1 + BN projection shortcut
/// (`downsample`) when the stride or the channel count changes.
private func makeBottleneck(
  inChannels: Int, planes: Int, stride: Int, style: BottleneckStyle, path: String,
  plan: inout TapPlan
) -> Residual {
  // torchvision: width = int(planes · (base_width / 64)) · groups
  let width = max(1, planes * style.widthPerGroup / 64) * style.groups
  let outChannels = planes * 4
  var main: [(String, any Layer)] = [
    ("conv1", Conv2d(inChannels: inChannels, outChannels: width, kernelSize: 1, bias: false)),
    ("bn1", BatchNorm2d(channels: width)),
    ("relu1", ReLU(inPlace: true)),
  ]
  main += plan.block("mfd1", label: "\(path).relu1")
  main += [
    ("conv2", Conv2d(inChannels: width, outChannels: width, kernelSize: 3, stride: stride,
                     padding: 1, groups: style.groups, bias: false)),
    ("bn2", BatchNorm2d(channels: width)),
    ("relu2", ReLU(inPlace: true)),
  ]
  main += plan.block("mfd2", label: "\(path).relu2")
  main += [
    ("conv3", Conv2d(inChannels: width, outChannels: outChannels, kernelSize: 1, bias: false)),
    ("bn3", BatchNorm2d(channels: outChannels)),
  ]
  var downsample: Sequential?
  if stride != 1 || inChannels != outChannels {
    downsample = Sequential(
      Conv2d(inChannels: inChannels, outChannels: outChannels, kernelSize: 1, stride: stride, bias: false),
      BatchNorm2d(channels: outChannels))
  }
  let post: any Layer = Sequential(named: [("relu", ReLU(inPlace: true))] + plan.block("mfd3", label: "\(path).relu"))
  return Residual(main: Sequential(named: main), shortcut: downsample, post: post)
}

/// Global average pool, the penultimate-feature hook, and the classifier `fc` (linear, or the
/// face head of `config.head`).
private func classifierHead(features: Int, config: ModelConfiguration) -> [(String, any Layer)] {
  let (prefix, classifier) = classifierLayers(features: features, config: config)
  return [("avgpool", AdaptiveAvgPool2d(outputSize: 1)), ("flatten", Flatten())] + prefix + [("fc", classifier)]
}
