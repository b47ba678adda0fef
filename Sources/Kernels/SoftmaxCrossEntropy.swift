// Softmax cross-entropy over class logits, PyTorch's `F.cross_entropy` with mean reduction,
// plus the top-1 count used for accuracy.

/// A class label outside 0..<classes.
public struct LabelOutOfRangeError: Error, Equatable, CustomStringConvertible {
  /// Position of the offending sample in the batch.
  public let index: Int
  public let label: Int32
  public let classes: Int

  public init(index: Int, label: Int32, classes: Int) {
    self.index = index
    self.label = label
    self.classes = classes
  }

  public var description: String {
    "label \(label) at batch index \(index) is out of range for \(classes) classes (expected 0..<\(classes))"
  }
}

/// Throws for the first label outside 0..<classes.
///
/// - labels: [batch]
public func validateLabels(
  _ labels: UnsafePointer<Int32>, batch: Int, classes: Int
) throws(LabelOutOfRangeError) {
  for index in 0..<batch where labels[index] < 0 || Int(labels[index]) >= classes {
    throw LabelOutOfRangeError(index: index, label: labels[index], classes: classes)
  }
}

/// Softmax cross-entropy forward: mean over the batch of −log softmax(logits)[label].
///
/// Numerically stable for any finite logits: each row is shifted by its maximum before
/// exponentiating, and the exponentials are summed in Double, so ±1e4 logits give finite values.
/// Rows run in parallel; the per-row losses are summed afterwards in row order.
///
/// - logits: [batch, classes]; labels: [batch], each in 0..<classes (else it throws, writing nothing)
/// - probabilities: [batch, classes], written: softmax(logits), kept for the backward pass
/// - returns: the mean loss, and how many rows have the label as their first maximal logit
public func softmaxCrossEntropyForward(
  logits: UnsafePointer<Float>, labels: UnsafePointer<Int32>,
  probabilities: UnsafeMutablePointer<Float>, batch: Int, classes: Int
) throws(LabelOutOfRangeError) -> (loss: Float, correct: Int) {
  try validateLabels(labels, batch: batch, classes: classes)
  guard batch > 0 else { return (.nan, 0) }  // PyTorch's mean over an empty batch
  return withUnsafeTemporaryAllocation(of: Double.self, capacity: batch) { rowLoss in
    withUnsafeTemporaryAllocation(of: Bool.self, capacity: batch) { rowCorrect in
      parallelFor(batch) { row in
        let x = logits + row * classes, p = probabilities + row * classes
        var maxIndex = 0
        for k in 1..<classes where x[k] > x[maxIndex] { maxIndex = k }
        let maximum = x[maxIndex]
        var sum = 0.0
        for k in 0..<classes {
          let e = expf32(x[k] - maximum)
          p[k] = e
          sum += Double(e)
        }
        let normaliser = Float(1 / sum)
        for k in 0..<classes { p[k] *= normaliser }
        let label = Int(labels[row])
        // −log softmax[label] = log Σ exp(x − max) − (x[label] − max) ≥ 0.
        rowLoss[row] = Foundation_log(sum) - Double(x[label] - maximum)
        rowCorrect[row] = maxIndex == label
      }
      var total = 0.0, correct = 0
      for row in 0..<batch {
        total += rowLoss[row]
        if rowCorrect[row] { correct += 1 }
      }
      return (Float(total / Double(batch)), correct)
    }
  }
}

/// Softmax cross-entropy backward: gradLogits = scale · (probabilities − onehot(labels)) / batch,
/// the gradient of `scale` × the mean loss.
///
/// - probabilities: [batch, classes] from the forward pass; labels: [batch] (already validated)
/// - gradLogits: [batch, classes], overwritten; may alias probabilities
public func softmaxCrossEntropyBackward(
  probabilities: UnsafePointer<Float>, labels: UnsafePointer<Int32>,
  gradLogits: UnsafeMutablePointer<Float>, batch: Int, classes: Int, scale: Float = 1
) {
  let factor = scale / Float(batch)
  parallelFor(batch) { row in
    let offset = row * classes
    for k in 0..<classes { gradLogits[offset + k] = probabilities[offset + k] * factor }
    gradLogits[offset + Int(labels[row])] -= factor
  }
}
