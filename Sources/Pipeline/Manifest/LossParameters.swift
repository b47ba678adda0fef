/// The parameters of a face loss as a manifest gives them (Table VI); nil leaves the training
/// code's default (AM-Softmax s 7.5, m 0.35; ArcFace s 64, m 0.5; center loss λ_c 0.003, α 0.5;
/// a 512-wide embedding). Softmax takes none.
public struct LossParameters: Sendable, Hashable {
  /// s of AM-Softmax or ArcFace.
  public var scale: Double?
  /// m of AM-Softmax or ArcFace.
  public var margin: Double?
  /// λ_c of the center loss.
  public var centerLambda: Double?
  /// α, the center loss's centre update rate.
  public var centerAlpha: Double?
  /// Width of the face embedding (before the width multiplier).
  public var embeddingFeatures: Int?

  public init(scale: Double? = nil, margin: Double? = nil, centerLambda: Double? = nil,
              centerAlpha: Double? = nil, embeddingFeatures: Int? = nil) {
    self.scale = scale
    self.margin = margin
    self.centerLambda = centerLambda
    self.centerAlpha = centerAlpha
    self.embeddingFeatures = embeddingFeatures
  }

  /// Manifest keys and the base losses each applies to.
  public static let keys: [(key: String, bases: [String])] = [
    ("scale", ["am_softmax", "arcface"]),
    ("margin", ["am_softmax", "arcface"]),
    ("center_lambda", ["center"]),
    ("center_alpha", ["center"]),
    ("embedding_features", ["center", "am_softmax", "arcface"]),
  ]

  /// The given values under their manifest keys, in `keys` order (step configurations).
  public var entries: [(key: String, value: ConfigValue)] {
    var result: [(String, ConfigValue)] = []
    if let scale { result.append(("scale", .double(scale))) }
    if let margin { result.append(("margin", .double(margin))) }
    if let centerLambda { result.append(("center_lambda", .double(centerLambda))) }
    if let centerAlpha { result.append(("center_alpha", .double(centerAlpha))) }
    if let embeddingFeatures { result.append(("embedding_features", .int(embeddingFeatures))) }
    return result
  }

  /// `-s15-m0.5` for the given values (empty when none): part of the loss's tag, so two
  /// settings of one loss get different step ids.
  var tagSuffix: String {
    var text = ""
    if let scale { text += "-s\(LossSpec.shortNumber(scale))" }
    if let margin { text += "-m\(LossSpec.shortNumber(margin))" }
    if let centerLambda { text += "-lc\(LossSpec.shortNumber(centerLambda))" }
    if let centerAlpha { text += "-a\(LossSpec.shortNumber(centerAlpha))" }
    if let embeddingFeatures { text += "-d\(embeddingFeatures)" }
    return text
  }

  /// Why `value` cannot be the parameter `key` of `base`, or nil when it can.
  static func problem(key: String, value: Double, base: String) -> String? {
    switch key {
    case "scale":
      return value > 0 ? nil : "scale s must be positive, got \(value)"
    case "margin":
      if value < 0 { return "margin m must be ≥ 0, got \(value)" }
      if base == "arcface", value >= Double.pi / 2 { return "arcface margin m is an angle below π/2, got \(value)" }
      return nil
    case "center_lambda":
      return value >= 0 ? nil : "center_lambda must be ≥ 0, got \(value)"
    case "center_alpha":
      return value > 0 && value <= 1 ? nil : "center_alpha must be in (0, 1], got \(value)"
    case "embedding_features":
      return value >= 1 && value == value.rounded() ? nil : "embedding_features must be an integer ≥ 1, got \(value)"
    default:
      return "unknown loss parameter '\(key)'"
    }
  }
}
