import Engine

// MobileNetV2 as torchvision defines it (width 1.0, ImageNet strides), the variant the paper's
// MobileNetV2 numbers point to (mfd-reference.md §5.4): at 32×32 its final map is 1×1.
// Names are torchvision's: `features.0.0.weight` (stem conv), `features.1.conv.0.0.weight`
// (first block's depthwise conv), `features.2.conv.0.0.weight` (an expansion conv),
// `features.18.0.weight` (the 1×1 to 1280), `classifier.1.weight` (after Dropout at index 0).
//
// Stages, one per resolution group (at 32×32: 16, 8, 4, 2, 1): S0 = features.1 (stem + first
// block), S1 = features.3, S2 = features.6, S3 = features.13, S4 = features.17 (320 channels).
// `blocks` placement: every ReLU6 output: the stem, and in every inverted residual the
// expansion (when t ≠ 1) and the depthwise activations, and the final 1×1: 1 + 1 + 16·2 + 1 = 35.

/// (expansion t, output channels c, repeats n, first stride s), torchvision's table.
let invertedResidualSettings: [(t: Int, c: Int, n: Int, s: Int)] = [
  (1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1),
]

/// torchvision's `_make_divisible`: the nearest multiple of `divisor`, never 10 % below `value`.
func makeDivisible(_ value: Double, divisor: Int = 8) -> Int {
  var result = max(divisor, Int(value + Double(divisor) / 2) / divisor * divisor)
  if Double(result) < 0.9 * value { result += divisor }
  return result
}

func buildMobileNetV2(_ config: ModelConfiguration, plan: inout TapPlan) -> Sequential {
  let width = config.widthMultiplier
  var inChannels = makeDivisible(32 * width)
  let lastChannels = makeDivisible(1280 * max(1, width))
  var features: [(String, any Layer)] = [
    ("0", convBNReLU6(config.inputChannels, inChannels, kernel: 3, stride: 2, plan: &plan, label: "features.0")),
  ]
  // The last block of each resolution group → its stage number.
  let stageEnds = [1: 0, 3: 1, 6: 2, 13: 3, 17: 4]
  var index = 1
  for setting in invertedResidualSettings {
    let outChannels = makeDivisible(Double(setting.c) * width)
    for repeatIndex in 0..<setting.n {
      features.append(("\(index)", makeInvertedResidual(
        inChannels: inChannels, outChannels: outChannels, stride: repeatIndex == 0 ? setting.s : 1,
        expansion: setting.t, path: "features.\(index)", plan: &plan)))
      if let stage = stageEnds[index] { features += plan.stage(stage) }
      inChannels = outChannels
      index += 1
    }
  }
  features.append(("18", convBNReLU6(inChannels, lastChannels, kernel: 1, stride: 1, plan: &plan,
                                     label: "features.18")))
  let (prefix, head) = classifierLayers(features: lastChannels, config: config)
  let classifier: [(String, any Layer)] = [("0", Dropout(probability: config.dropout)), ("1", head)]
  return Sequential(named: [
    ("features", Sequential(named: features)),
    ("avgpool", AdaptiveAvgPool2d(outputSize: 1)),
    ("flatten", Flatten()),
  ] + prefix + [("classifier", Sequential(named: classifier))])
}

/// torchvision's `Conv2dNormActivation` with ReLU6: conv (no bias), BN, ReLU6 as children 0, 1, 2.
private func convBNReLU6(
  _ inChannels: Int, _ outChannels: Int, kernel: Int, stride: Int, groups: Int = 1,
  plan: inout TapPlan, label: String
) -> Sequential {
  Sequential(named: [
    ("0", Conv2d(inChannels: inChannels, outChannels: outChannels, kernelSize: kernel,
                 stride: stride, padding: (kernel - 1) / 2, groups: groups, bias: false)),
    ("1", BatchNorm2d(channels: outChannels)),
    ("2", ReLU6(inPlace: true)),
  ] + plan.block("mfd", label: label))
}

/// torchvision's `InvertedResidual`: optional 1×1 expansion, 3×3 depthwise, linear 1×1
/// projection + BN, all under `conv`; a residual connection when stride is 1 and the channel
/// count is unchanged.
private func makeInvertedResidual(
  inChannels: Int, outChannels: Int, stride: Int, expansion: Int, path: String, plan: inout TapPlan
) -> any Layer {
  let hidden = inChannels * expansion
  var conv: [any Layer] = []
  if expansion != 1 {
    conv.append(convBNReLU6(inChannels, hidden, kernel: 1, stride: 1, plan: &plan, label: "\(path).conv.0"))
  }
  conv.append(convBNReLU6(hidden, hidden, kernel: 3, stride: stride, groups: hidden, plan: &plan,
                          label: "\(path).conv.\(conv.count)"))
  conv.append(Conv2d(inChannels: hidden, outChannels: outChannels, kernelSize: 1, bias: false))
  conv.append(BatchNorm2d(channels: outChannels))
  let body = Sequential(named: [("conv", Sequential(conv))])
  if stride == 1 && inChannels == outChannels { return Residual(main: body) }
  return body
}
