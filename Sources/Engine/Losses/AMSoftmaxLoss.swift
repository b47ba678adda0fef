import Kernels

/// AM-Softmax on a `CosineLinear(.featureNorm)` head's logits z:
/// L = −(1/B)Σ log softmax(s·(z − m·onehot(y)))[y] (the authors' `AMSoftmax(s, m)`, is_amp off).
///
/// Table VI uses m = 0.35; the paper gives no s, and the authors' `#7.5, 0.35` comment suggests
/// s = 7.5 (mfd-reference.md §4), our default.
public final class AMSoftmaxLoss: ClassificationLoss {
  public static let defaultScale: Float = 7.5
  public static let defaultMargin: Float = 0.35

  public let scale: Float
  public let margin: Float
  public private(set) var correct = 0

  private var adjusted: Tensor?
  private var probabilities: Tensor?
  private var gradLogits: Tensor?
  private var labels: [Int32] = []

  public init(scale: Float = AMSoftmaxLoss.defaultScale, margin: Float = AMSoftmaxLoss.defaultMargin) {
    self.scale = scale
    self.margin = margin
  }

  /// - logits: [batch, classes], the head's z; labels: batch values in 0..<classes
  public func forward(logits: Tensor, labels: [Int32]) throws(LabelOutOfRangeError) -> Float {
    precondition(logits.shape.count == 2 && logits.shape[0] == labels.count && !labels.isEmpty,
                 "AMSoftmaxLoss: logits \(logits.shape) for \(labels.count) labels, expected [\(labels.count), classes]")
    let a = Tensor.reusing(adjusted, shape: logits.shape), p = Tensor.reusing(probabilities, shape: logits.shape)
    let (scale, margin) = (self.scale, self.margin)
    let result = try labels.withUnsafeBufferPointer { (labels) throws(LabelOutOfRangeError) in
      try amSoftmaxForward(logits: logits.pointer, labels: labels.baseAddress!, adjusted: a.pointer,
                           probabilities: p.pointer, batch: logits.shape[0], classes: logits.shape[1],
                           scale: scale, margin: margin)
    }
    (adjusted, probabilities, self.labels, correct) = (a, p, labels, result.correct)
    return result.loss
  }

  /// scale · s · (softmax − onehot) / batch
  public func backward(scale lossScale: Float = 1) -> Tensor {
    guard let probabilities else { preconditionFailure("AMSoftmaxLoss.backward called before forward") }
    let grad = Tensor.reusing(gradLogits, shape: probabilities.shape)
    gradLogits = grad
    labels.withUnsafeBufferPointer { labels in
      amSoftmaxBackward(probabilities: probabilities.pointer, labels: labels.baseAddress!, gradLogits: grad.pointer,
                        batch: probabilities.shape[0], classes: probabilities.shape[1], scale: scale,
                        lossScale: lossScale)
    }
    return grad
  }
}
