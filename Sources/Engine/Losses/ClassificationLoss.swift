import Kernels

/// A loss that ends a classifier: the network's output [batch, classes] and the labels in, the
/// mean loss and the gradient w.r.t. that output out. Softmax cross-entropy and the margin losses
/// of Table VI (AM-Softmax, ArcFace) are interchangeable behind it in the training step and the
/// evaluator.
public protocol ClassificationLoss: AnyObject {
  /// Rows of the last batch whose first maximal network output is the label (the prediction,
  /// never the margin-adjusted logits).
  var correct: Int { get }
  /// The mean loss of `logits` [batch, classes] for `labels`, remembering what `backward` needs.
  /// - throws: `LabelOutOfRangeError` for the first bad label (nothing is updated then).
  func forward(logits: Tensor, labels: [Int32]) throws(LabelOutOfRangeError) -> Float
  /// Gradient of `scale` × the last loss w.r.t. the logits: [batch, classes], a buffer reused
  /// across steps.
  func backward(scale: Float) -> Tensor
}

extension SoftmaxCrossEntropy: ClassificationLoss {}
