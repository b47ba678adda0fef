// The logits of the two cosine heads of Table VI, forward and backward side by side. Both compute
// u = x·ŵ_jᵀ against unit class vectors ŵ_j (the rows of the L2-normalised weight, see
// L2Normalize.swift) and clamp u to [−r_b, r_b]:
//
// * `.featureNorm` — the authors' `CosineLinear` (mfd/utils.py:3311), AM-Softmax's head: x is the
//   raw embedding and r_b = ‖x_b‖, so z = clamp(cosθ, −1, 1)·‖x‖, "weight-normalised logits
//   x·ŵ_j with the feature norm kept". Clamping u to ±‖x‖ is the same clamp without dividing by
//   ‖x‖ first, so a zero embedding gives z = 0 rather than 0/0.
// * `.unit` — the authors' `ArcfaceLinear` (mfd/utils.py:3544): x must already be L2-normalised
//   (the caller's job there; an explicit `L2Normalize` layer here) and r_b = 1: c = clamp(x̂·ŵ, −1, 1).
//
// Mathematically |u| ≤ r always holds; the clamp only catches rounding. The gradient follows
// PyTorch's clamp, which passes the gradient where min ≤ value ≤ max and blocks it outside: an
// entry with |u| > r is the constant ±r, whose only dependence is r itself (±x̂ for
// `.featureNorm`, nothing for `.unit`).

/// What the clamp bound r_b of a cosine head is.
public enum CosineBound: Sendable {
  /// r_b = ‖x_b‖: logits are cosθ·‖x‖ (AM-Softmax's CosineLinear).
  case featureNorm
  /// r_b = 1: logits are cosθ of an already normalised input (ArcFace's head).
  case unit
}

/// Cosine head forward: raw = x·Ŵᵀ (one sgemm), output = clamp(raw, −r_b, r_b).
///
/// - input: [rows, inFeatures]; unitWeight: [outFeatures, inFeatures], rows of unit norm (or zero)
/// - raw: [rows, outFeatures], written x·ŵ_j unclamped, kept for the backward pass
/// - output: [rows, outFeatures], written
/// - bounds: [rows], written r_b (‖x_b‖ in Double, or 1), kept for the backward pass
public func cosineLogitsForward(
  input: UnsafePointer<Float>, unitWeight: UnsafePointer<Float>, raw: UnsafeMutablePointer<Float>,
  output: UnsafeMutablePointer<Float>, bounds: UnsafeMutablePointer<Float>,
  rows: Int, inFeatures: Int, outFeatures: Int, bound: CosineBound
) {
  sgemm(.none, .transposed, m: rows, n: outFeatures, k: inFeatures,
        a: input, lda: inFeatures, b: unitWeight, ldb: inFeatures, c: raw, ldc: outFeatures)
  parallelFor(rows) { row in
    let r: Float
    switch bound {
    case .unit: r = 1
    case .featureNorm:
      let x = input + row * inFeatures
      var squares = 0.0
      for i in 0..<inFeatures { squares += Double(x[i]) * Double(x[i]) }
      r = Float(squares.squareRoot())
    }
    bounds[row] = r
    let u = raw + row * outFeatures, z = output + row * outFeatures
    for j in 0..<outFeatures { z[j] = min(max(u[j], -r), r) }
  }
}

/// Cosine head backward.
///
/// Unclamped entries (|raw| ≤ r): dx += g·ŵ_j and dŴ_j += g·x. Clamped entries: nothing to the
/// weights; for `.featureNorm` dx += g·sign(raw)·x/‖x‖ (the derivative of ±‖x‖).
///
/// - input, unitWeight, raw, bounds: as in and from the forward pass
/// - gradOutput: [rows, outFeatures]
/// - maskedGrad: [rows, outFeatures] scratch, overwritten (gradOutput with clamped entries zeroed)
/// - gradUnitWeight: [outFeatures, inFeatures], overwritten: dL/dŴ (the caller chains it through
///   the weight normalisation)
/// - gradInput: [rows, inFeatures], overwritten
public func cosineLogitsBackward(
  input: UnsafePointer<Float>, unitWeight: UnsafePointer<Float>, raw: UnsafePointer<Float>,
  bounds: UnsafePointer<Float>, gradOutput: UnsafePointer<Float>, maskedGrad: UnsafeMutablePointer<Float>,
  gradUnitWeight: UnsafeMutablePointer<Float>, gradInput: UnsafeMutablePointer<Float>,
  rows: Int, inFeatures: Int, outFeatures: Int, bound: CosineBound
) {
  // Σ over clamped entries of g·sign(raw), per row: the coefficient of x̂ in dx (featureNorm only).
  withUnsafeTemporaryAllocation(of: Double.self, capacity: rows) { clampedSums in
    parallelFor(rows) { row in
      let u = raw + row * outFeatures, g = gradOutput + row * outFeatures, gm = maskedGrad + row * outFeatures
      let r = bounds[row]
      var sum = 0.0
      for j in 0..<outFeatures {
        if abs(u[j]) <= r {
          gm[j] = g[j]
        } else {
          gm[j] = 0
          sum += Double(g[j]) * (u[j] > 0 ? 1 : -1)
        }
      }
      clampedSums[row] = sum
    }
    sgemm(.none, .none, m: rows, n: inFeatures, k: outFeatures,
          a: maskedGrad, lda: outFeatures, b: unitWeight, ldb: inFeatures, c: gradInput, ldc: inFeatures)
    sgemm(.transposed, .none, m: outFeatures, n: inFeatures, k: rows,
          a: maskedGrad, lda: outFeatures, b: input, ldb: inFeatures, c: gradUnitWeight, ldc: inFeatures)
    guard bound == .featureNorm else { return }
    for row in 0..<rows where clampedSums[row] != 0 && bounds[row] > 0 {
      let factor = clampedSums[row] / Double(bounds[row])
      let x = input + row * inFeatures, dx = gradInput + row * inFeatures
      for i in 0..<inFeatures { dx[i] += Float(factor * Double(x[i])) }
    }
  }
}
