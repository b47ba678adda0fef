import Engine

// kuangliu/pytorch-cifar's MobileNetV2 (models/mobilenetv2.py), the common CIFAR variant:
// a 3×3 stride-1 stem, the second group at stride 1, ReLU (not ReLU6), an expansion conv in
// every block (even t = 1), and a 1×1 conv + BN shortcut on stride-1 blocks whose channel count
// changes. Names are kuangliu's: `conv1.weight`, `layers.0.conv1.weight`,
// `layers.1.shortcut.0.weight`, `conv2.weight`, `bn2.weight`, `linear.weight`.
// kuangliu pools with avg_pool2d(4), which only fits 32×32 inputs; we pool adaptively to 1×1,
// which is the same at 32×32 and also serves 64×64.
//
// Stages: S0 = the stem's ReLU output; S1…S4 = the outputs of blocks 3, 6, 13 and 17
// (at 32×32: 32, 16, 8, 4 pixels wide; S1 shares S0's resolution because of the stride change).
// `blocks` placement: the stem ReLU and the two ReLU outputs of every block (after the
// expansion and after the depthwise conv), and the final ReLU: 1 + 17·2 + 1 = 36 tensors.

/// kuangliu's cfg: (expansion, out_planes, num_blocks, stride).
private let cifarSettings: [(t: Int, c: Int, n: Int, s: Int)] = [
  (1, 16, 1, 1), (6, 24, 2, 1), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1),
]

func buildMobileNetV2CIFAR(_ config: ModelConfiguration, plan: inout TapPlan) -> Sequential {
  let stem = config.scaled(32)
  var layers: [(String, any Layer)] = [
    ("conv1", Conv2d(inChannels: config.inputChannels, outChannels: stem, kernelSize: 3, stride: 1, padding: 1, bias: false)),
    ("bn1", BatchNorm2d(channels: stem)),
    ("relu1", ReLU(inPlace: true)),
  ]
  layers += plan.block("mfd_stem", label: "relu1")
  layers += plan.stage(0)
  let stageEnds = [2: 1, 5: 2, 12: 3, 16: 4]  // block index (0-based) → stage
  var blocks: [(String, any Layer)] = []
  var inChannels = stem
  var index = 0
  for setting in cifarSettings {
    let outChannels = config.scaled(setting.c)
    for repeatIndex in 0..<setting.n {
      blocks.append(("\(index)", makeCIFARBlock(
        inChannels: inChannels, outChannels: outChannels, expansion: setting.t,
        stride: repeatIndex == 0 ? setting.s : 1, path: "layers.\(index)", plan: &plan)))
      if let stage = stageEnds[index] { blocks += plan.stage(stage) }
      inChannels = outChannels
      index += 1
    }
  }
  let last = config.scaled(1280)
  layers.append(("layers", Sequential(named: blocks)))
  layers += [
    ("conv2", Conv2d(inChannels: inChannels, outChannels: last, kernelSize: 1, bias: false)),
    ("bn2", BatchNorm2d(channels: last)),
    ("relu2", ReLU(inPlace: true)),
  ]
  layers += plan.block("mfd_head", label: "relu2")
  let (prefix, classifier) = classifierLayers(features: last, config: config)
  layers += [("avgpool", AdaptiveAvgPool2d(outputSize: 1)), ("flatten", Flatten())] + prefix
  layers.append(("linear", classifier))
  return Sequential(named: layers)
}

/// kuangliu's `Block`: expand 1×1, depthwise 3×3, project 1×1, each with BN, ReLU after the
/// first two; out + shortcut(x) when stride is 1 (shortcut = identity, or 1×1 conv + BN when
/// the channel count changes).
private func makeCIFARBlock(
  inChannels: Int, outChannels: Int, expansion: Int, stride: Int, path: String, plan: inout TapPlan
) -> any Layer {
  let planes = expansion * inChannels
  var main: [(String, any Layer)] = [
    ("conv1", Conv2d(inChannels: inChannels, outChannels: planes, kernelSize: 1, bias: false)),
    ("bn1", BatchNorm2d(channels: planes)),
    ("relu1", ReLU(inPlace: true)),
  ]
  main += plan.block("mfd1", label: "\(path).relu1")
  main += [
    ("conv2", Conv2d(inChannels: planes, outChannels: planes, kernelSize: 3, stride: stride,
                     padding: 1, groups: planes, bias: false)),
    ("bn2", BatchNorm2d(channels: planes)),
    ("relu2", ReLU(inPlace: true)),
  ]
  main += plan.block("mfd2", label: "\(path).relu2")
  main += [
    ("conv3", Conv2d(inChannels: planes, outChannels: outChannels, kernelSize: 1, bias: false)),
    ("bn3", BatchNorm2d(channels: outChannels)),
  ]
  let body = Sequential(named: main)
  guard stride == 1 else { return body }
  if inChannels == outChannels { return Residual(main: body) }
  let projection = Sequential(
    Conv2d(inChannels: inChannels, outChannels: outChannels, kernelSize: 1, bias: false),
    BatchNorm2d(channels: outChannels))
  return Residual(main: body, shortcut: projection, shortcutName: "shortcut")
}
