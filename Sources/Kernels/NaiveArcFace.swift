#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Reference ArcFace (embedding normalisation, ArcfaceLinear head, margin, cross-entropy) for
// tests: Double throughout, straight from the definitions in mfd-reference.md §4.

/// Reference loss of x̂ = x/‖x‖, c = clamp(x̂·ŵ_j, −1, 1), target logit s·φ(c) (the easy-margin
/// fallback c − m·sin m where c ≤ cos(π − m)), others s·c, then mean cross-entropy; and its
/// gradients w.r.t. the unnormalised embedding x and the weight W. Zero rows of x or W count as
/// x̂ = 0 / ŵ = 0 with zero gradient; φ'(1) is taken as cos m.
///
/// - input: [batch, dims]; weight: [classes, dims]; labels: [batch]
/// - gradInput: [batch, dims], gradWeight: [classes, dims], both overwritten
/// - returns: also how many targets took the fallback branch
public func naiveArcFace(
  input: UnsafePointer<Float>, weight: UnsafePointer<Float>, labels: UnsafePointer<Int32>,
  gradInput: UnsafeMutablePointer<Float>, gradWeight: UnsafeMutablePointer<Float>,
  batch: Int, classes: Int, dims: Int, scale s: Double, margin m: Double
) -> (loss: Double, fallbacks: Int) {
  let unit = { (v: [Double]) -> (unit: [Double], norm: Double) in
    let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
    return norm > 1e-12 ? (v.map { $0 / norm }, norm) : ([Double](repeating: 0, count: v.count), 0)
  }
  let xs = (0..<batch).map { b in unit((0..<dims).map { Double(input[b * dims + $0]) }) }
  let ws = (0..<classes).map { j in unit((0..<dims).map { Double(weight[j * dims + $0]) }) }
  var dWhat = [[Double]](repeating: [Double](repeating: 0, count: dims), count: classes)
  var total = 0.0, fallbacks = 0
  for b in 0..<batch {
    let label = Int(labels[b])
    let c = ws.map { w in min(max(zip(xs[b].unit, w.unit).reduce(0) { $0 + $1.0 * $1.1 }, -1), 1) }
    var logits = c.map { s * $0 }
    let ct = c[label]
    var slope = 1.0
    if ct - cos(Double.pi - m) <= 0 {
      logits[label] = s * (ct - m * sin(m))
      fallbacks += 1
    } else {
      let sine = (1 - ct * ct).squareRoot()
      logits[label] = s * (ct * cos(m) - sine * sin(m))
      slope = sine > 0 ? cos(m) + sin(m) * ct / sine : cos(m)
    }
    let maximum = logits.max()!
    let logSumExp = maximum + log(logits.reduce(0) { $0 + exp($1 - maximum) })
    total += logSumExp - logits[label]
    var dxHat = [Double](repeating: 0, count: dims)
    for j in 0..<classes {
      var g = s * (exp(logits[j] - logSumExp) - (j == label ? 1 : 0)) / Double(batch)
      if j == label { g *= slope }
      for i in 0..<dims {
        dxHat[i] += g * ws[j].unit[i]
        dWhat[j][i] += g * xs[b].unit[i]
      }
    }
    // Through x̂ = x/‖x‖: dx = (dx̂ − (dx̂·x̂)x̂)/‖x‖.
    let projection = zip(dxHat, xs[b].unit).reduce(0) { $0 + $1.0 * $1.1 }
    for i in 0..<dims {
      gradInput[b * dims + i] = xs[b].norm > 0 ? Float((dxHat[i] - projection * xs[b].unit[i]) / xs[b].norm) : 0
    }
  }
  for j in 0..<classes {
    let projection = zip(dWhat[j], ws[j].unit).reduce(0) { $0 + $1.0 * $1.1 }
    for i in 0..<dims {
      gradWeight[j * dims + i] = ws[j].norm > 0 ? Float((dWhat[j][i] - projection * ws[j].unit[i]) / ws[j].norm) : 0
    }
  }
  return (total / Double(batch), fallbacks)
}
