import Engine

/// The classification loss a network is trained with: softmax, or one of Table VI's face losses.
public enum BaseLoss: String, CaseIterable, Sendable, Codable {
  /// Linear classifier + softmax cross-entropy (Tables IV and V).
  case softmax
  /// Linear classifier + softmax cross-entropy + λ_c · Wen et al.'s center loss on the embedding.
  case center
  /// CosineLinear head (cosθ·‖x‖) + AM-Softmax.
  case am_softmax
  /// L2-normalised embedding + ArcfaceLinear head (cosθ) + ArcFace's margin.
  case arcface
}

/// Which classifier head a network ends with and the hyper-parameters of its loss.
///
/// The face losses replace only the head and the loss; MFD taps combine with any of them.
/// Their head (`FaceHead.swift`): the pooled features → `embed` Linear(features → 512) → the
/// `embedding` hook (the penultimate embedding the face losses act on) → [center-loss tap |
/// L2 normalisation] → the classifier under the network's torchvision name (`fc`, `classifier`,
/// `classifier.1`, `linear`). 512 follows the authors' `config.py` (`feature_size` 512 for
/// FaceScrub) and their commented `Linear(2048, feature_size)` line (mfd-reference.md §4).
/// Softmax keeps the torchvision head (no extra embedding layer).
public struct HeadConfiguration: Sendable, Equatable, Codable {
  public static let defaultEmbeddingFeatures = 512

  public var loss: BaseLoss
  /// Width of the face embedding before the width multiplier (ignored for softmax).
  public var embeddingFeatures: Int
  /// s of AM-Softmax (default 7.5) or ArcFace (default 64); unused otherwise.
  public var scale: Float
  /// m of AM-Softmax (Table VI: 0.35) or ArcFace (Table VI: 0.5); unused otherwise.
  public var margin: Float
  /// λ_c of the center loss (default 0.003); unused otherwise.
  public var centerLambda: Float
  /// α, the centres' update rate (default 0.5); unused otherwise.
  public var centerAlpha: Float

  /// `loss` with the defaults of its parameters where none is given.
  public init(
    loss: BaseLoss, embeddingFeatures: Int = HeadConfiguration.defaultEmbeddingFeatures, scale: Float? = nil,
    margin: Float? = nil, centerLambda: Float? = nil, centerAlpha: Float? = nil
  ) {
    self.loss = loss
    self.embeddingFeatures = embeddingFeatures
    let defaults: (scale: Float, margin: Float) = switch loss {
    case .arcface: (ArcFaceLoss.defaultScale, ArcFaceLoss.defaultMargin)
    case .am_softmax: (AMSoftmaxLoss.defaultScale, AMSoftmaxLoss.defaultMargin)
    case .softmax, .center: (1, 0)
    }
    self.scale = scale ?? defaults.scale
    self.margin = margin ?? defaults.margin
    self.centerLambda = centerLambda ?? (loss == .center ? CenterLossTap.defaultLambda : 0)
    self.centerAlpha = centerAlpha ?? (loss == .center ? CenterLossTap.defaultAlpha : 0)
  }

  /// The torchvision head with softmax cross-entropy.
  public static let softmax = HeadConfiguration(loss: .softmax)

  /// Whether the network gets the face embedding and head.
  public var isFace: Bool { loss != .softmax }

  /// The loss on the network's output for this head.
  public func makeLoss() -> any ClassificationLoss {
    switch loss {
    case .softmax, .center: SoftmaxCrossEntropy()
    case .am_softmax: AMSoftmaxLoss(scale: scale, margin: margin)
    case .arcface: ArcFaceLoss(scale: scale, margin: margin)
    }
  }

  /// The values a head cannot work with, by name.
  public func validate() throws(ModelConfigurationError) {
    guard isFace else { return }
    guard embeddingFeatures >= 1 else { throw .invalid("head embedding features must be at least 1, got \(embeddingFeatures)") }
    switch loss {
    case .softmax:
      break
    case .center:
      guard centerLambda >= 0, centerLambda.isFinite else { throw .invalid("center loss λ_c must be ≥ 0, got \(centerLambda)") }
      guard centerAlpha > 0, centerAlpha <= 1 else { throw .invalid("center loss α must be in (0, 1], got \(centerAlpha)") }
    case .am_softmax, .arcface:
      guard scale > 0, scale.isFinite else { throw .invalid("\(loss.rawValue) scale s must be positive, got \(scale)") }
      guard margin >= 0, margin.isFinite else { throw .invalid("\(loss.rawValue) margin m must be ≥ 0, got \(margin)") }
      if loss == .arcface, margin >= Float.pi / 2 {
        throw .invalid("arcface margin m must be below π/2 (an angle), got \(margin)")
      }
    }
  }
}
