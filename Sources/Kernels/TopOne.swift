// Top-1 counting for heads whose training loss reshapes the logits (a margin on the target): the
// prediction is the argmax of the head's own output, which evaluation uses too, not of the
// margin-adjusted logits the loss sees (those penalise the target and would undercount).

/// How many rows have their label as the first maximal entry.
///
/// - logits: [batch, classes]; labels: [batch], already validated
public func countTopOne(logits: UnsafePointer<Float>, labels: UnsafePointer<Int32>, batch: Int, classes: Int) -> Int {
  var correct = 0
  for row in 0..<batch {
    let x = logits + row * classes
    var best = 0
    for k in 1..<max(classes, 1) where x[k] > x[best] { best = k }
    if best == Int(labels[row]) { correct += 1 }
  }
  return correct
}
