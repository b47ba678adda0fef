// Row-wise L2 normalisation x̂ = x / ‖x‖: the ArcFace embedding before its head, and the class
// weight rows ŵ_j of both cosine heads (AM-Softmax's CosineLinear, ArcFace's ArcfaceLinear).
//
// The authors' heads divide by the norm without a guard (InsightFace's `l2_norm`, CosineLinear's
// `/ xlen / wlen`), so a zero row gives 0/0 = NaN there. We define a row whose norm is at most
// `l2NormalizeZeroNorm` as having x̂ = 0 and a zero gradient, as the MFD loss treats a dead
// channel (mfd-reference.md §1). F.normalize's eps clamp would instead give x/ε and a gradient of
// size 1/ε = 1e12, which is finite but would wreck a training step.

/// Norms at or below this count as zero (x̂ = 0, dL/dx = 0).
public let l2NormalizeZeroNorm = 1e-12

/// L2-normalises every row.
///
/// Norms and the scaling are computed in Double; rows run in parallel.
/// - input: [rows, features]
/// - output: [rows, features], written x̂ (0 for a zero row); must not alias `input`
/// - norms: [rows], written ‖x_r‖ (0 for a zero row), kept for the backward pass
public func l2NormalizeRowsForward(
  input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, norms: UnsafeMutablePointer<Float>,
  rows: Int, features: Int
) {
  parallelFor(rows) { row in
    let x = input + row * features, y = output + row * features
    var squares = 0.0
    for i in 0..<features { squares += Double(x[i]) * Double(x[i]) }
    let norm = squares.squareRoot()
    guard norm > l2NormalizeZeroNorm else {
      y.update(repeating: 0, count: features)
      norms[row] = 0
      return
    }
    let inverse = 1 / norm
    for i in 0..<features { y[i] = Float(Double(x[i]) * inverse) }
    norms[row] = Float(norm)
  }
}

/// Backward of `l2NormalizeRowsForward`: dx = (g − (g·x̂)·x̂) / ‖x‖, the projection of the
/// output gradient onto the tangent space of the sphere; 0 for a zero row.
///
/// - output: [rows, features], x̂ from the forward pass; norms: [rows] from the forward pass
/// - gradOutput: [rows, features]
/// - gradInput: [rows, features], overwritten, or accumulated when `accumulate` (weight
///   gradients); may alias `gradOutput` when not accumulating
public func l2NormalizeRowsBackward(
  output: UnsafePointer<Float>, norms: UnsafePointer<Float>, gradOutput: UnsafePointer<Float>,
  gradInput: UnsafeMutablePointer<Float>, rows: Int, features: Int, accumulate: Bool = false
) {
  parallelFor(rows) { row in
    let y = output + row * features, g = gradOutput + row * features, dx = gradInput + row * features
    guard norms[row] > 0 else {
      if !accumulate { dx.update(repeating: 0, count: features) }
      return
    }
    var projection = 0.0
    for i in 0..<features { projection += Double(g[i]) * Double(y[i]) }
    let inverse = 1 / Double(norms[row])
    for i in 0..<features {
      let value = Float((Double(g[i]) - projection * Double(y[i])) * inverse)
      dx[i] = accumulate ? dx[i] + value : value
    }
  }
}
