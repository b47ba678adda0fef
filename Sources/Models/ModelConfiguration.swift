/// The networks of the paper's Tables IV–VII.
public enum Architecture: String, CaseIterable, Sendable, Codable {
  /// torchvision's ResNet50 (bottleneck v1.5) with a 3×3 stride-1 stem.
  case resnet50
  /// torchvision's ResNeXt50 32×4d with the same stem.
  case resnext50_32x4d
  /// torchvision's DenseNet121 (growth 32, blocks 6-12-24-16) with a 3×3 stride-1 stem + norm0/relu0.
  case densenet121
  /// torchvision's MobileNetV2 (width 1.0, ImageNet strides: a 1×1 final map at 32×32), the
  /// variant the paper's MobileNetV2 numbers point to (mfd-reference.md §5.4).
  case mobilenet_v2
  /// kuangliu/pytorch-cifar's MobileNetV2: stride-1 stem, second group stride 1, ReLU.
  case mobilenet_v2_cifar
}

/// Where the MFD loss is attached.
public enum MFDPlacement: String, CaseIterable, Sendable, Codable {
  /// Softmax only (stage probes are still there for statistics; they cost nothing).
  case none
  /// The five stage outputs S0…S4: the paper's description.
  case stages
  /// Every post-ReLU activation inside every block, as the authors' released code does for
  /// ResNet50 (49 tensors); see each network's file for its set.
  case blocks
}

/// Everything that fixes a network's structure.
public struct ModelConfiguration: Sendable, Equatable, Codable {
  public var architecture: Architecture
  public var classes: Int
  /// Scales every channel count (reduced profiles); 1 is the paper's network.
  public var widthMultiplier: Double
  /// Keep the max-pool after the stem (the paper does for 64×64 inputs: Tiny ImageNet, FaceScrub).
  /// ResNet, ResNeXt and DenseNet only; MobileNetV2 has none.
  public var stemPool: Bool
  public var mfdPlacement: MFDPlacement
  /// The paper's λ, applied to every MFD term.
  public var mfdLambda: Float
  /// Dropout before MobileNetV2's classifier (torchvision: 0.2); other networks have none.
  public var dropout: Float
  /// Channels of the input images: 3 (RGB) for the paper's datasets, 1 for Fashion-MNIST. Only
  /// the stem convolution's input changes.
  public var inputChannels: Int
  /// The classifier head and its loss: softmax (torchvision's head) or a face loss of Table VI.
  public var head: HeadConfiguration

  public init(
    architecture: Architecture, classes: Int, widthMultiplier: Double = 1, stemPool: Bool = false,
    mfdPlacement: MFDPlacement = .none, mfdLambda: Float = 1, dropout: Float? = nil,
    inputChannels: Int = 3, head: HeadConfiguration = .softmax
  ) {
    self.inputChannels = inputChannels
    self.head = head
    self.architecture = architecture
    self.classes = classes
    self.widthMultiplier = widthMultiplier
    self.stemPool = stemPool
    self.mfdPlacement = mfdPlacement
    self.mfdLambda = mfdLambda
    self.dropout = dropout ?? (architecture == .mobilenet_v2 ? 0.2 : 0)
  }

  /// Checks the values a builder cannot work with.
  public func validate() throws(ModelConfigurationError) {
    guard classes >= 1 else { throw .invalid("classes must be at least 1, got \(classes)") }
    guard inputChannels >= 1 else { throw .invalid("input channels must be at least 1, got \(inputChannels)") }
    guard widthMultiplier > 0, widthMultiplier <= 4 else {
      throw .invalid("width multiplier must be in (0, 4], got \(widthMultiplier)")
    }
    guard dropout >= 0, dropout < 1 else { throw .invalid("dropout must be in [0, 1), got \(dropout)") }
    if stemPool, architecture == .mobilenet_v2 || architecture == .mobilenet_v2_cifar {
      throw .invalid("\(architecture.rawValue) has no stem max-pool; stem_pool applies to resnet50, resnext50_32x4d and densenet121")
    }
    try head.validate()
  }

  private enum CodingKeys: String, CodingKey {
    case architecture, classes, widthMultiplier, stemPool, mfdPlacement, mfdLambda, dropout, inputChannels, head
  }

  /// Configurations written before `inputChannels` existed decode as RGB, and those written
  /// before `head` existed as softmax.
  public init(from decoder: any Decoder) throws {
    let values = try decoder.container(keyedBy: CodingKeys.self)
    architecture = try values.decode(Architecture.self, forKey: .architecture)
    classes = try values.decode(Int.self, forKey: .classes)
    widthMultiplier = try values.decode(Double.self, forKey: .widthMultiplier)
    stemPool = try values.decode(Bool.self, forKey: .stemPool)
    mfdPlacement = try values.decode(MFDPlacement.self, forKey: .mfdPlacement)
    mfdLambda = try values.decode(Float.self, forKey: .mfdLambda)
    dropout = try values.decode(Float.self, forKey: .dropout)
    inputChannels = try values.decodeIfPresent(Int.self, forKey: .inputChannels) ?? 3
    head = try values.decodeIfPresent(HeadConfiguration.self, forKey: .head) ?? .softmax
  }

  /// A softmax head is left out, so softmax configurations (checkpoints, results) read as they
  /// did before face heads existed.
  public func encode(to encoder: any Encoder) throws {
    var values = encoder.container(keyedBy: CodingKeys.self)
    try values.encode(architecture, forKey: .architecture)
    try values.encode(classes, forKey: .classes)
    try values.encode(widthMultiplier, forKey: .widthMultiplier)
    try values.encode(stemPool, forKey: .stemPool)
    try values.encode(mfdPlacement, forKey: .mfdPlacement)
    try values.encode(mfdLambda, forKey: .mfdLambda)
    try values.encode(dropout, forKey: .dropout)
    try values.encode(inputChannels, forKey: .inputChannels)
    if head != .softmax { try values.encode(head, forKey: .head) }
  }

  /// A channel count scaled by the width multiplier (at least 1).
  func scaled(_ channels: Int) -> Int {
    max(1, Int((Double(channels) * widthMultiplier).rounded()))
  }
}

public enum ModelConfigurationError: Error, CustomStringConvertible, Equatable {
  case invalid(String)
  public var description: String {
    switch self { case .invalid(let message): "invalid model configuration: \(message)" }
  }
}
