#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// ArcFace's additive angular margin on the head's cosines c (InsightFace_Pytorch's `Arcface`, as
// the authors' `ArcfaceLinear` ports it, mfd/utils.py:3544; mfd-reference.md §4):
//
//   sinθ = √(1 − c²),  φ(c) = c·cos m − sinθ·sin m  = cos(θ + m),
//   φ(c) = c − m·sin m  wherever c − cos(π − m) ≤ 0  (θ + m would pass π, where cos(θ + m) stops
//                                                      decreasing: the "easy margin" fallback),
//   logits: s·φ(c_{b,y_b}) at the target, s·c elsewhere; then softmax cross-entropy.
//
// dL/dc = s·(softmax − onehot)/B, times φ'(c) at the target, where φ'(c) = cos m + sin m·c/sinθ
// on the margin branch and 1 on the fallback. At c = 1 (θ = 0) φ' is infinite (PyTorch gives
// inf/NaN there); we drop the √ term's derivative, φ'(1) = cos m, as the MFD loss zeroes its
// 0/0. c = −1 is always on the fallback for m ≤ π/2. Everything is computed in Double.

/// φ(c) and φ'(c) for one target cosine (c in [−1, 1]).
@inline(__always)
func arcFaceTarget(_ c: Double, margin m: Double) -> (value: Double, slope: Double) {
  if c - cos(Double.pi - m) <= 0 { return (c - m * sin(m), 1) }
  let sine = max(0, 1 - c * c).squareRoot()
  let value = c * cos(m) - sine * sin(m)
  return (value, sine > 0 ? cos(m) + sin(m) * c / sine : cos(m))
}

/// ArcFace forward.
///
/// - cosines: [batch, classes], the head's c in [−1, 1]; labels: [batch], each in 0..<classes
///   (else it throws, writing nothing)
/// - adjusted: [batch, classes] scratch, written s·c with s·φ at the targets
/// - probabilities: [batch, classes], written softmax(adjusted), kept for the backward pass
/// - targetSlopes: [batch], written φ'(c_{b,y_b}), kept for the backward pass
/// - returns: the mean loss, and the top-1 count of c itself (margin-free)
public func arcFaceForward(
  cosines: UnsafePointer<Float>, labels: UnsafePointer<Int32>, adjusted: UnsafeMutablePointer<Float>,
  probabilities: UnsafeMutablePointer<Float>, targetSlopes: UnsafeMutablePointer<Float>,
  batch: Int, classes: Int, scale: Float, margin: Float
) throws(LabelOutOfRangeError) -> (loss: Float, correct: Int) {
  try validateLabels(labels, batch: batch, classes: classes)
  parallelFor(batch) { row in
    let offset = row * classes, label = Int(labels[row])
    for k in 0..<classes { adjusted[offset + k] = scale * cosines[offset + k] }
    let target = arcFaceTarget(Double(cosines[offset + label]), margin: Double(margin))
    adjusted[offset + label] = Float(Double(scale) * target.value)
    targetSlopes[row] = Float(target.slope)
  }
  let loss = try softmaxCrossEntropyForward(logits: adjusted, labels: labels, probabilities: probabilities,
                                            batch: batch, classes: classes).loss
  return (loss, countTopOne(logits: cosines, labels: labels, batch: batch, classes: classes))
}

/// ArcFace backward: gradCosines = lossScale · s · (probabilities − onehot) / batch, with each
/// target entry multiplied by φ'(c): the gradient of `lossScale` × the mean loss w.r.t. c.
///
/// - probabilities: [batch, classes] and targetSlopes: [batch] from the forward pass
/// - gradCosines: [batch, classes], overwritten
public func arcFaceBackward(
  probabilities: UnsafePointer<Float>, labels: UnsafePointer<Int32>, targetSlopes: UnsafePointer<Float>,
  gradCosines: UnsafeMutablePointer<Float>, batch: Int, classes: Int, scale: Float, lossScale: Float = 1
) {
  softmaxCrossEntropyBackward(probabilities: probabilities, labels: labels, gradLogits: gradCosines,
                              batch: batch, classes: classes, scale: lossScale * scale)
  for row in 0..<batch { gradCosines[row * classes + Int(labels[row])] *= targetSlopes[row] }
}
