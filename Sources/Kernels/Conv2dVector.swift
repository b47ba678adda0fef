/// Contiguous-row reductions for the convolution kernels (dot and sum over one row or plane).
///
/// Written with explicit 8-lane SIMD because the compiler may not vectorise Float reductions
/// (reassociation changes rounding) and cannot prove two raw pointers do not alias. Each function
/// sums in a fixed lane order, so results depend only on the data, never on threading.
///
/// Call these once per row, not per element.
enum Conv2dVector {
  /// Σ a[i] · b[i] for i in 0..<count.
  @inline(__always)
  static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
    var lanes = SIMD8<Float>()
    var i = 0
    while i + 8 <= count {
      lanes += loadVector(a + i) * loadVector(b + i)
      i += 8
    }
    var total = lanes.sum()
    while i < count {
      total += a[i] * b[i]
      i += 1
    }
    return total
  }

  /// The dots of `a` with three rows at once, each summed exactly as `dot(a, b_k, count:)`
  /// (so the results are that function's bits): `a` is loaded once per block for all three,
  /// and three independent accumulators keep the adder busy where one waits on its own sum.
  @inline(__always)
  static func dots(
    _ a: UnsafePointer<Float>, _ b0: UnsafePointer<Float>, _ b1: UnsafePointer<Float>,
    _ b2: UnsafePointer<Float>, count: Int
  ) -> (Float, Float, Float) {
    var (lanes0, lanes1, lanes2) = (SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>())
    var i = 0
    while i + 8 <= count {
      let x = loadVector(a + i)
      lanes0 += x * loadVector(b0 + i)
      lanes1 += x * loadVector(b1 + i)
      lanes2 += x * loadVector(b2 + i)
      i += 8
    }
    var (total0, total1, total2) = (lanes0.sum(), lanes1.sum(), lanes2.sum())
    while i < count {
      total0 += a[i] * b0[i]
      total1 += a[i] * b1[i]
      total2 += a[i] * b2[i]
      i += 1
    }
    return (total0, total1, total2)
  }

  /// Σ x[i] for i in 0..<count.
  @inline(__always)
  static func sum(_ x: UnsafePointer<Float>, count: Int) -> Float {
    var lanes = SIMD8<Float>()
    var i = 0
    while i + 8 <= count {
      lanes += loadVector(x + i)
      i += 8
    }
    var total = lanes.sum()
    while i < count {
      total += x[i]
      i += 1
    }
    return total
  }
}
