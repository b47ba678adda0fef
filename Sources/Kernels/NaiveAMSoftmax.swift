#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Reference AM-Softmax with its CosineLinear head for tests: Double throughout, written as the
// authors' code reads (cosθ = x·w_j/(‖x‖‖w_j‖), clamped, times ‖x‖), not as the kernels compute it.

/// Reference loss of z_bj = clamp(x_b·w_j/(‖x_b‖‖w_j‖), −1, 1)·‖x_b‖ followed by
/// −(1/B)Σ log softmax(s·(z − m·onehot))[y], and its gradients w.r.t. x and W (analytic, from
/// the definition). Zero-norm rows of x or W give cosθ = 0; a zero W row gets a zero gradient.
///
/// - input: [batch, dims]; weight: [classes, dims] (class vectors as rows); labels: [batch]
/// - gradInput: [batch, dims], gradWeight: [classes, dims], both overwritten
public func naiveAMSoftmax(
  input: UnsafePointer<Float>, weight: UnsafePointer<Float>, labels: UnsafePointer<Int32>,
  gradInput: UnsafeMutablePointer<Float>, gradWeight: UnsafeMutablePointer<Float>,
  batch: Int, classes: Int, dims: Int, scale: Double, margin: Double
) -> (loss: Double, correct: Int) {
  let x = (0..<batch).map { b in (0..<dims).map { Double(input[b * dims + $0]) } }
  let w = (0..<classes).map { j in (0..<dims).map { Double(weight[j * dims + $0]) } }
  let norm = { (v: [Double]) in v.reduce(0) { $0 + $1 * $1 }.squareRoot() }
  let wNorm = w.map(norm)
  var dW = [[Double]](repeating: [Double](repeating: 0, count: dims), count: classes)
  var total = 0.0, correct = 0
  for b in 0..<batch {
    let xNorm = norm(x[b])
    var z = [Double](repeating: 0, count: classes)
    for j in 0..<classes where xNorm > 0 && wNorm[j] > 1e-12 {
      let dotProduct = zip(x[b], w[j]).reduce(0) { $0 + $1.0 * $1.1 }
      z[j] = min(max(dotProduct / (xNorm * wNorm[j]), -1), 1) * xNorm
    }
    let label = Int(labels[b])
    if z.firstIndex(of: z.max()!) == label { correct += 1 }
    let logits = z.enumerated().map { scale * ($1 - ($0 == label ? margin : 0)) }
    let maximum = logits.max()!
    let logSumExp = maximum + log(logits.reduce(0) { $0 + exp($1 - maximum) })
    total += logSumExp - logits[label]
    // dL/dz_j = s·(p_j − [j = y])/B; dz_j/dx = ŵ_j; dz_j/dw_j = (x − (x·ŵ_j)ŵ_j)/‖w_j‖.
    var dx = [Double](repeating: 0, count: dims)
    for j in 0..<classes where wNorm[j] > 1e-12 {
      let g = scale * (exp(logits[j] - logSumExp) - (j == label ? 1 : 0)) / Double(batch)
      let unit = w[j].map { $0 / wNorm[j] }
      let projection = zip(x[b], unit).reduce(0) { $0 + $1.0 * $1.1 }
      for i in 0..<dims {
        dx[i] += g * unit[i]
        dW[j][i] += g * (x[b][i] - projection * unit[i]) / wNorm[j]
      }
    }
    for i in 0..<dims { gradInput[b * dims + i] = Float(dx[i]) }
  }
  for j in 0..<classes { for i in 0..<dims { gradWeight[j * dims + i] = Float(dW[j][i]) } }
  return (total / Double(batch), correct)
}
