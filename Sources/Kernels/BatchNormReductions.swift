// The per-channel passes of the batch-norm kernels (BatchNorm.swift): the affine map with its
// optional activation, and the plane reductions in Double.
//
// The reductions keep sixteen Double lanes (four SIMD4 accumulators) over blocks of sixteen
// values, then the tail in a scalar. A single running sum is one long chain of dependent adds
// (the compiler may not reorder it); sixteen lanes keep the adders busy while the summation order
// stays fixed, so every run and thread count gives the same bits.

/// One channel's forward map x ↦ Clamp((x − mean) · scale + shift), with scale = γ/σ and
/// shift = β: the forward writes it, and the backward of a fused activation recomputes it to find
/// where the activation let the gradient through.
struct ChannelAffine<Clamp: OutputClamp> {
  let mean, scale, shift: Float

  /// output[i] = the map of input[i] for i in 0..<count.
  @inline(__always)
  func normalise(_ input: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>, count: Int) {
    for i in 0..<count { output[i] = Clamp.apply((input[i] - mean) * scale + shift) }
  }

  /// dy where the activation passed the gradient at input x (always, for NoClamp).
  @inline(__always)
  func gate(_ dy: Float, _ x: Float) -> Float {
    Clamp.gate(dy, at: Clamp.apply((x - mean) * scale + shift))
  }

  /// `gate` on four values.
  @inline(__always)
  func gate(_ dy: SIMD4<Float>, _ x: SIMD4<Float>) -> SIMD4<Float> {
    Clamp.gate(dy, at: Clamp.apply((x - mean) * scale + shift))
  }
}

/// Calls `body` with the offset of each of `channel`'s n planes, in batch order.
@inline(__always)
func forEachPlane(of channel: Int, n: Int, c: Int, spatial: Int, _ body: (Int) -> Void) {
  for image in 0..<n { body((image * c + channel) * spatial) }
}

/// 1/√(variance + epsilon) in Double, rounded once.
@inline(__always)
func runningInverseStd(_ variance: Float, _ epsilon: Float) -> Float {
  Float(1 / (Double(variance) + Double(epsilon)).squareRoot())
}

/// Σ g and Σ g·x̂ over one channel, g = dy gated by the fused activation and
/// x̂ = (x − mean) · inverseStd: the β and γ gradients. One pass over each plane reads dy and x
/// once for both.
@inline(__always)
func affineGradientSums<Clamp>(
  channel: Int, input: UnsafePointer<Float>, gradOutput: UnsafePointer<Float>,
  gate: ChannelAffine<Clamp>, inverseStd: Float, n: Int, c: Int, spatial: Int
) -> (sumDy: Double, sumDyXhat: Double) {
  var sumDy = 0.0, sumDyCentred = 0.0
  forEachPlane(of: channel, n: n, c: c, spatial: spatial) { base in
    let (dy, dot) = planeSumAndDot(gradOutput + base, input + base, spatial, gate: gate)
    sumDy += dy
    sumDyCentred += dot
  }
  return (sumDy, sumDyCentred * Double(inverseStd))
}

/// Sixteen Double lanes of a plane reduction, combined in a fixed order.
private struct DoubleLanes {
  var a = SIMD4<Double>(), b = SIMD4<Double>(), c = SIMD4<Double>(), d = SIMD4<Double>()

  /// Adds `term(block of 4 values starting at i)` for i, i+4, i+8, i+12.
  @inline(__always)
  mutating func add(at i: Int, _ term: (Int) -> SIMD4<Double>) {
    a += term(i); b += term(i + 4); c += term(i + 8); d += term(i + 12)
  }

  @inline(__always)
  var total: Double { ((a + b) + (c + d)).sum() }
}

/// Four floats at `x + i`, widened to Double.
@inline(__always)
private func widened(_ x: UnsafePointer<Float>, _ i: Int) -> SIMD4<Double> {
  SIMD4<Double>(loadSIMD(x + i) as SIMD4<Float>)
}

/// Σ x[i] for i in 0..<count, in Double.
@inline(__always)
func planeSum(_ x: UnsafePointer<Float>, _ count: Int) -> Double {
  var lanes = DoubleLanes()
  var i = 0
  while i + 16 <= count {
    lanes.add(at: i) { widened(x, $0) }
    i += 16
  }
  var tail = 0.0
  while i < count { tail += Double(x[i]); i += 1 }
  return lanes.total + tail
}

/// Σ (x[i] − mean)² for i in 0..<count, in Double.
@inline(__always)
func planeSquaredDeviations(_ x: UnsafePointer<Float>, _ count: Int, from mean: Double) -> Double {
  var lanes = DoubleLanes()
  var i = 0
  while i + 16 <= count {
    lanes.add(at: i) { let d = widened(x, $0) - mean; return d * d }
    i += 16
  }
  var tail = 0.0
  while i < count { let d = Double(x[i]) - mean; tail += d * d; i += 1 }
  return lanes.total + tail
}

/// (Σ g[i], Σ g[i] · (x[i] − mean)) for i in 0..<count, in Double, with g = dy gated by `gate`
/// and x − mean taken in Float. Two accumulators per sum over blocks of eight: the two sums'
/// sixteen lanes would not fit the registers of SSE.
@inline(__always)
func planeSumAndDot<Clamp>(
  _ dy: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ count: Int, gate: ChannelAffine<Clamp>
) -> (sum: Double, dot: Double) {
  var (sum0, sum1, dot0, dot1) = (SIMD4<Double>(), SIMD4<Double>(), SIMD4<Double>(), SIMD4<Double>())
  @inline(__always) func terms(_ k: Int) -> (sum: SIMD4<Double>, dot: SIMD4<Double>) {
    let xs = loadSIMD(x + k) as SIMD4<Float>
    let g = SIMD4<Double>(gate.gate(loadSIMD(dy + k), xs))
    return (g, g * SIMD4<Double>(xs - gate.mean))
  }
  var i = 0
  while i + 8 <= count {
    let (t0, t1) = (terms(i), terms(i + 4))
    sum0 += t0.sum; sum1 += t1.sum
    dot0 += t0.dot; dot1 += t1.dot
    i += 8
  }
  var (sumTail, dotTail) = (0.0, 0.0)
  while i < count {
    let g = Double(gate.gate(dy[i], x[i]))
    sumTail += g
    dotTail += g * Double(x[i] - gate.mean)
    i += 1
  }
  return ((sum0 + sum1).sum() + sumTail, (dot0 + dot1).sum() + dotTail)
}
