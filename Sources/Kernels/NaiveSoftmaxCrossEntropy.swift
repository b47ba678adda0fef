#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Reference softmax cross-entropy for tests: Double throughout, log-sum-exp from the definition.

/// Reference mean softmax cross-entropy, its gradient (probabilities − onehot) / batch, and the
/// number of rows whose first maximal logit is the label. Labels must be valid.
///
/// - logits: [batch, classes]; labels: [batch]; gradLogits: [batch, classes], overwritten
public func naiveSoftmaxCrossEntropy(
  logits: UnsafePointer<Float>, labels: UnsafePointer<Int32>,
  gradLogits: UnsafeMutablePointer<Float>, batch: Int, classes: Int
) -> (loss: Double, correct: Int) {
  var total = 0.0, correct = 0
  for row in 0..<batch {
    let x = (0..<classes).map { Double(logits[row * classes + $0]) }
    let maximum = x.max()!
    let logSumExp = maximum + log(x.reduce(0) { $0 + exp($1 - maximum) })
    let label = Int(labels[row])
    total += logSumExp - x[label]
    if x.firstIndex(of: maximum) == label { correct += 1 }
    for k in 0..<classes {
      let softmax = exp(x[k] - logSumExp)
      gradLogits[row * classes + k] = Float((softmax - (k == label ? 1 : 0)) / Double(batch))
    }
  }
  return (total / Double(batch), correct)
}
