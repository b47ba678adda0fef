// AM-Softmax (Wang et al. 2018) as the authors' `AMSoftmax(scale, margin)` computes it
// (mfd/utils.py:3337, is_amp off): the head's logits z (CosineLinear: cosθ·‖x‖) get the margin m
// subtracted at the target, everything is scaled by s, and softmax cross-entropy follows:
//
//   L = −(1/B) Σ_b log softmax(s·(z_b − m·onehot(y_b)))[y_b]
//
// so it is the existing, numerically stable softmax cross-entropy kernel on adjusted logits, and
// dL/dz = s·(softmax − onehot)/B.

/// AM-Softmax forward.
///
/// - logits: [batch, classes], the head's z; labels: [batch], each in 0..<classes (else it
///   throws, writing nothing)
/// - adjusted: [batch, classes] scratch, written s·(z − m·onehot)
/// - probabilities: [batch, classes], written softmax(adjusted), kept for the backward pass
/// - returns: the mean loss, and the top-1 count of z itself (margin-free, as evaluation predicts)
public func amSoftmaxForward(
  logits: UnsafePointer<Float>, labels: UnsafePointer<Int32>, adjusted: UnsafeMutablePointer<Float>,
  probabilities: UnsafeMutablePointer<Float>, batch: Int, classes: Int, scale: Float, margin: Float
) throws(LabelOutOfRangeError) -> (loss: Float, correct: Int) {
  try validateLabels(labels, batch: batch, classes: classes)
  parallelFor(batch) { row in
    let offset = row * classes
    for k in 0..<classes { adjusted[offset + k] = scale * logits[offset + k] }
    adjusted[offset + Int(labels[row])] = scale * (logits[offset + Int(labels[row])] - margin)
  }
  let loss = try softmaxCrossEntropyForward(logits: adjusted, labels: labels, probabilities: probabilities,
                                            batch: batch, classes: classes).loss
  return (loss, countTopOne(logits: logits, labels: labels, batch: batch, classes: classes))
}

/// AM-Softmax backward: gradLogits = lossScale · s · (probabilities − onehot) / batch, the
/// gradient of `lossScale` × the mean loss with respect to z.
///
/// - probabilities: [batch, classes] from the forward pass; labels: [batch]
/// - gradLogits: [batch, classes], overwritten
public func amSoftmaxBackward(
  probabilities: UnsafePointer<Float>, labels: UnsafePointer<Int32>, gradLogits: UnsafeMutablePointer<Float>,
  batch: Int, classes: Int, scale: Float, lossScale: Float = 1
) {
  softmaxCrossEntropyBackward(probabilities: probabilities, labels: labels, gradLogits: gradLogits,
                              batch: batch, classes: classes, scale: lossScale * scale)
}
