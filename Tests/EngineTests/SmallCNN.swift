import Engine

/// The network of `engine_fixtures.py`'s `SmallNet`, same parameter names: a stem with BN and an
/// MFD tap, a residual block with a grouped 3×3 and a projection shortcut, a second tap, a
/// depthwise conv with bias and ReLU6, max-pool, global average pool and a linear classifier.
func makeSmallCNN(lambda: Float = 1, classes: Int = 5) -> Sequential {
  let block = Residual(
    main: Sequential(named: [
      ("conv1", Conv2d(inChannels: 8, outChannels: 16, kernelSize: 3, stride: 2, padding: 1, bias: false)),
      ("bn1", BatchNorm2d(channels: 16)),
      ("relu", ReLU()),
      ("conv2", Conv2d(inChannels: 16, outChannels: 16, kernelSize: 3, padding: 1, groups: 2, bias: false)),
      ("bn2", BatchNorm2d(channels: 16)),
    ]),
    shortcut: Sequential(
      Conv2d(inChannels: 8, outChannels: 16, kernelSize: 1, stride: 2, bias: false),
      BatchNorm2d(channels: 16)),
    post: ReLU())
  return Sequential(named: [
    ("conv1", Conv2d(inChannels: 3, outChannels: 8, kernelSize: 3, padding: 1, bias: false)),
    ("bn1", BatchNorm2d(channels: 8)),
    ("relu", ReLU()),
    ("tap0", MFDTap(lambda: lambda, label: "S0")),
    ("layer1", Sequential(named: [("0", block)])),
    ("tap1", MFDTap(lambda: lambda, label: "S1")),
    ("dw", Conv2d(inChannels: 16, outChannels: 16, kernelSize: 3, padding: 1, groups: 16, bias: true)),
    ("bn2", BatchNorm2d(channels: 16)),
    ("relu6", ReLU6()),
    ("pool", MaxPool2d(kernelSize: 2)),
    ("gap", AdaptiveAvgPool2d(outputSize: 1)),
    ("flatten", Flatten()),
    ("fc", Linear(inFeatures: 16, outFeatures: classes)),
  ])
}
