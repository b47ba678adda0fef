import Engine
import Kernels
import TestSupport

/// The three face losses as the engine composes them, for the tests: loss value and gradients of
/// the embedding and of the head weight after one forward + backward.
struct FaceLossRun {
  var loss: Float
  var gradInput: [Float]
  var gradWeight: [Float]
  var correct: Int
}

/// CosineLinear(cosθ·‖x‖) + AM-Softmax on x [batch, dims] with head weight [classes, dims].
func runAMSoftmax(x: Tensor, weight: Tensor, labels: [Int32], scale: Float, margin: Float) throws -> FaceLossRun {
  let head = CosineLinear(inFeatures: x.shape[1], outFeatures: weight.shape[0], bound: .featureNorm)
  head.weight.value.assign(weight)
  let loss = AMSoftmaxLoss(scale: scale, margin: margin)
  let value = try loss.forward(logits: head.forward(x, mode: .train), labels: labels)
  let dx = head.backward(loss.backward(scale: 1)).values
  return FaceLossRun(loss: value, gradInput: dx, gradWeight: head.weight.grad.values, correct: loss.correct)
}

/// L2Normalize + CosineLinear(cosθ) + ArcFace on the unnormalised embedding x [batch, dims].
func runArcFace(x: Tensor, weight: Tensor, labels: [Int32], scale: Float, margin: Float) throws -> FaceLossRun {
  let normalize = L2Normalize()
  let head = CosineLinear(inFeatures: x.shape[1], outFeatures: weight.shape[0], bound: .unit)
  head.weight.value.assign(weight)
  let loss = ArcFaceLoss(scale: scale, margin: margin)
  let value = try loss.forward(logits: head.forward(normalize.forward(x, mode: .train), mode: .train), labels: labels)
  let dx = normalize.backward(head.backward(loss.backward(scale: 1))).values
  return FaceLossRun(loss: value, gradInput: dx, gradWeight: head.weight.grad.values, correct: loss.correct)
}

/// The engine's loss alone (no backward), for finite differences.
func amSoftmaxValue(x: Tensor, weight: Tensor, labels: [Int32], scale: Float, margin: Float) -> Double {
  Double(try! runAMSoftmax(x: x, weight: weight, labels: labels, scale: scale, margin: margin).loss)
}

func arcFaceValue(x: Tensor, weight: Tensor, labels: [Int32], scale: Float, margin: Float) -> Double {
  Double(try! runArcFace(x: x, weight: weight, labels: labels, scale: scale, margin: margin).loss)
}

/// The naive Double references of Kernels as arrays.
func naiveAMSoftmaxRun(x: Tensor, weight: Tensor, labels: [Int32], scale: Double, margin: Double) -> (loss: Double, dx: [Float], dw: [Float], correct: Int) {
  var dx = [Float](repeating: 0, count: x.count), dw = [Float](repeating: 0, count: weight.count)
  let result = naiveAMSoftmax(input: x.pointer, weight: weight.pointer, labels: labels, gradInput: &dx, gradWeight: &dw,
                              batch: x.shape[0], classes: weight.shape[0], dims: x.shape[1], scale: scale, margin: margin)
  return (result.loss, dx, dw, result.correct)
}

func naiveArcFaceRun(x: Tensor, weight: Tensor, labels: [Int32], scale: Double, margin: Double) -> (loss: Double, dx: [Float], dw: [Float], fallbacks: Int) {
  var dx = [Float](repeating: 0, count: x.count), dw = [Float](repeating: 0, count: weight.count)
  let result = naiveArcFace(input: x.pointer, weight: weight.pointer, labels: labels, gradInput: &dx, gradWeight: &dw,
                            batch: x.shape[0], classes: weight.shape[0], dims: x.shape[1], scale: scale, margin: margin)
  return (result.loss, dx, dw, result.fallbacks)
}

/// Embeddings of which `fallbackRows` point nearly opposite their class vector (target cosine
/// near −1: ArcFace's fallback branch), the rest random; no target cosine near the branch
/// threshold or ±1, so finite differences stay on one branch.
func arcFaceInputs(batch: Int, dims: Int, classes: Int, seed: UInt64, fallbackRows: Int) -> (x: Tensor, weight: Tensor, labels: [Int32]) {
  let weight = randomTensor([classes, dims], seed: seed)
  let labels = randomLabels(batch, classes: classes, seed: seed + 1)
  let x = randomTensor([batch, dims], seed: seed + 2, in: -2...2)
  for b in 0..<fallbackRows {
    let y = Int(labels[b])
    for i in 0..<dims { x[b * dims + i] = -2 * weight[y * dims + i] + 0.02 * x[b * dims + i] }
  }
  return (x, weight, labels)
}
