import Kernels

/// Mean softmax cross-entropy over class logits, as `F.cross_entropy(logits, labels)`, with the
/// top-1 count of the same batch for accuracy.
///
/// Not a `Layer`: it ends the network. `forward` keeps the softmax and labels that `backward`
/// turns into the logits' gradient.
public final class SoftmaxCrossEntropy {
  /// Rows of the last batch whose first maximal logit is the label.
  public private(set) var correct = 0

  private var probabilities: Tensor?
  private var gradLogits: Tensor?
  private var labels: [Int32] = []

  public init() {}

  /// The mean loss; also sets `correct`.
  ///
  /// - logits: [batch, classes]; labels: batch values in 0..<classes
  /// - throws: `LabelOutOfRangeError` naming the first bad label's index, value and the class
  ///   count (nothing is updated then).
  public func forward(logits: Tensor, labels: [Int32]) throws(LabelOutOfRangeError) -> Float {
    precondition(logits.shape.count == 2 && logits.shape[0] == labels.count && !labels.isEmpty,
                 "SoftmaxCrossEntropy: logits \(logits.shape) for \(labels.count) labels, expected [\(labels.count), classes]")
    let (batch, classes) = (logits.shape[0], logits.shape[1])
    let p = Tensor.reusing(probabilities, shape: logits.shape)
    let result = try labels.withUnsafeBufferPointer { (labels) throws(LabelOutOfRangeError) in
      try softmaxCrossEntropyForward(logits: logits.pointer, labels: labels.baseAddress!,
                                     probabilities: p.pointer, batch: batch, classes: classes)
    }
    probabilities = p
    self.labels = labels
    correct = result.correct
    return result.loss
  }

  /// Gradient of `scale` × the last loss w.r.t. the logits: scale · (softmax − onehot) / batch.
  ///
  /// - returns: [batch, classes], a buffer reused across steps
  public func backward(scale: Float = 1) -> Tensor {
    guard let probabilities else { preconditionFailure("SoftmaxCrossEntropy.backward called before forward") }
    let grad = Tensor.reusing(gradLogits, shape: probabilities.shape)
    gradLogits = grad
    labels.withUnsafeBufferPointer { labels in
      softmaxCrossEntropyBackward(probabilities: probabilities.pointer, labels: labels.baseAddress!,
                                  gradLogits: grad.pointer, batch: probabilities.shape[0],
                                  classes: probabilities.shape[1], scale: scale)
    }
    return grad
  }
}
