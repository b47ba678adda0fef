import Kernels

/// ArcFace's margin and cross-entropy on a `CosineLinear(.unit)` head's cosines c (the input
/// L2-normalised before the head): target logit s·φ(c) with φ = cos(θ + m), or c − m·sin m on the
/// easy-margin fallback where c ≤ cos(π − m); other logits s·c. See ArcFaceMargin.swift.
///
/// Table VI uses m = 0.5. The paper gives no s; the authors' ArcFace comments say "m 0.5, s 64"
/// (InsightFace's default), our default. Their `#7.5, 0.35    15, 0.5` comment may instead mean
/// s = 15 for m = 0.5 (mfd-reference.md §4): the manifest can set it.
public final class ArcFaceLoss: ClassificationLoss {
  public static let defaultScale: Float = 64
  public static let defaultMargin: Float = 0.5

  public let scale: Float
  public let margin: Float
  public private(set) var correct = 0

  private var adjusted: Tensor?
  private var probabilities: Tensor?
  private var targetSlopes: Tensor?
  private var gradCosines: Tensor?
  private var labels: [Int32] = []

  public init(scale: Float = ArcFaceLoss.defaultScale, margin: Float = ArcFaceLoss.defaultMargin) {
    self.scale = scale
    self.margin = margin
  }

  /// - logits: [batch, classes], the head's cosines; labels: batch values in 0..<classes
  public func forward(logits: Tensor, labels: [Int32]) throws(LabelOutOfRangeError) -> Float {
    precondition(logits.shape.count == 2 && logits.shape[0] == labels.count && !labels.isEmpty,
                 "ArcFaceLoss: cosines \(logits.shape) for \(labels.count) labels, expected [\(labels.count), classes]")
    let a = Tensor.reusing(adjusted, shape: logits.shape), p = Tensor.reusing(probabilities, shape: logits.shape)
    let slopes = Tensor.reusing(targetSlopes, shape: [labels.count])
    let (scale, margin) = (self.scale, self.margin)
    let result = try labels.withUnsafeBufferPointer { (labels) throws(LabelOutOfRangeError) in
      try arcFaceForward(cosines: logits.pointer, labels: labels.baseAddress!, adjusted: a.pointer,
                         probabilities: p.pointer, targetSlopes: slopes.pointer, batch: logits.shape[0],
                         classes: logits.shape[1], scale: scale, margin: margin)
    }
    (adjusted, probabilities, targetSlopes, self.labels, correct) = (a, p, slopes, labels, result.correct)
    return result.loss
  }

  /// scale · s · (softmax − onehot) / batch, times φ'(c) at the targets
  public func backward(scale lossScale: Float = 1) -> Tensor {
    guard let probabilities, let targetSlopes else { preconditionFailure("ArcFaceLoss.backward called before forward") }
    let grad = Tensor.reusing(gradCosines, shape: probabilities.shape)
    gradCosines = grad
    labels.withUnsafeBufferPointer { labels in
      arcFaceBackward(probabilities: probabilities.pointer, labels: labels.baseAddress!,
                      targetSlopes: targetSlopes.pointer, gradCosines: grad.pointer, batch: probabilities.shape[0],
                      classes: probabilities.shape[1], scale: scale, lossScale: lossScale)
    }
    return grad
  }
}
