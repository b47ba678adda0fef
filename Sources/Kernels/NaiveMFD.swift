// Reference MFD loss, correlation statistic and gradient in Double, written straight from
// mfd-reference.md §1 (the authors' `NewDecorrelationBetweenDim1`, EPS = 1e-12) for tests.
// Slow on purpose: explicit means, sums and the clamp, no shared code with MFD.swift.

/// Z[c][b·N + p] = X[b, c, p] − (1/B)·Σ_b' X[b', c, p].
/// - input: [batch, channels, pixels]
private func naiveCentredRows(
  _ input: UnsafePointer<Float>, batch: Int, channels: Int, pixels: Int
) -> [[Double]] {
  var rows = [[Double]](repeating: [Double](repeating: 0, count: batch * pixels), count: channels)
  for c in 0..<channels {
    for p in 0..<pixels {
      var sum = 0.0
      for b in 0..<batch { sum += Double(input[(b * channels + c) * pixels + p]) }
      let mean = sum / Double(batch)
      for b in 0..<batch {
        rows[c][b * pixels + p] = Double(input[(b * channels + c) * pixels + p]) - mean
      }
    }
  }
  return rows
}

/// G = Z·Zᵀ (unscaled).
private func naiveGram(_ rows: [[Double]]) -> [[Double]] {
  let channels = rows.count
  var gram = [[Double]](repeating: [Double](repeating: 0, count: channels), count: channels)
  for i in 0..<channels {
    for j in 0..<channels {
      var sum = 0.0
      for k in rows[i].indices { sum += rows[i][k] * rows[j][k] }
      gram[i][j] = sum
    }
  }
  return gram
}

/// R as the authors' code forms it: Gn = G/N, s = √(diag(G)/N), R = Gn / max(s sᵀ, EPS).
/// - input: [batch, channels, pixels]; returns R: [channels][channels] (diagonal included).
public func naiveMFDCorrelation(
  input: UnsafePointer<Float>, batch: Int, channels: Int, pixels: Int
) -> [[Double]] {
  let gram = naiveGram(naiveCentredRows(input, batch: batch, channels: channels, pixels: pixels))
  let n = Double(pixels)
  let s = (0..<channels).map { (gram[$0][$0] / n).squareRoot() }
  return (0..<channels).map { i in
    (0..<channels).map { j in (gram[i][j] / n) / max(s[i] * s[j], mfdClampEpsilon) }
  }
}

/// L = (Σ R² − Σ diag(R)²) / max(C(C−1), EPS).
/// - input: [batch, channels, pixels]
public func naiveMFDLoss(input: UnsafePointer<Float>, batch: Int, channels: Int, pixels: Int) -> Double {
  let r = naiveMFDCorrelation(input: input, batch: batch, channels: channels, pixels: pixels)
  var all = 0.0, diagonal = 0.0
  for i in 0..<channels {
    for j in 0..<channels { all += r[i][j] * r[i][j] }
    diagonal += r[i][i] * r[i][i]
  }
  return (all - diagonal) / max(Double(channels * (channels - 1)), mfdClampEpsilon)
}

/// Mean of |R_ij| over i ≠ j.
/// - input: [batch, channels, pixels]
public func naiveMeanAbsoluteCorrelation(
  input: UnsafePointer<Float>, batch: Int, channels: Int, pixels: Int
) -> Double {
  let r = naiveMFDCorrelation(input: input, batch: batch, channels: channels, pixels: pixels)
  var sum = 0.0
  for i in 0..<channels {
    for j in 0..<channels where j != i { sum += abs(r[i][j]) }
  }
  return sum / max(Double(channels * (channels - 1)), mfdClampEpsilon)
}

/// dL/dX from the reference's analytic formula: M = (4/K)·[D R° D − diag(d_i / n_i²)],
/// dL/dX[b, :, p] = M · Z[:, b, p], with n_i = √G_ii, D = diag(1/n_i) (0 for a dead channel),
/// R° = R without its diagonal, d_i = Σ_{j≠i} R_ij². Valid when no pair of live channels is
/// clamped (n_i n_j ≥ N·EPS), which is the formula's own assumption.
/// - input, gradient: [batch, channels, pixels]; gradient is overwritten.
public func naiveMFDGradient(
  input: UnsafePointer<Float>, batch: Int, channels: Int, pixels: Int,
  gradient: UnsafeMutablePointer<Float>
) {
  let rows = naiveCentredRows(input, batch: batch, channels: channels, pixels: pixels)
  let gram = naiveGram(rows)
  let r = naiveMFDCorrelation(input: input, batch: batch, channels: channels, pixels: pixels)
  let k = max(Double(channels * (channels - 1)), mfdClampEpsilon)
  let inverseNorm = (0..<channels).map { gram[$0][$0] > 0 ? 1 / gram[$0][$0].squareRoot() : 0 }
  var m = [[Double]](repeating: [Double](repeating: 0, count: channels), count: channels)
  for i in 0..<channels {
    var d = 0.0
    for j in 0..<channels where j != i {
      m[i][j] = 4 / k * inverseNorm[i] * r[i][j] * inverseNorm[j]
      d += r[i][j] * r[i][j]
    }
    m[i][i] = -4 / k * d * inverseNorm[i] * inverseNorm[i]
  }
  for b in 0..<batch {
    for c in 0..<channels {
      for p in 0..<pixels {
        var sum = 0.0
        for j in 0..<channels { sum += m[c][j] * rows[j][b * pixels + p] }
        gradient[(b * channels + c) * pixels + p] = Float(sum)
      }
    }
  }
}
