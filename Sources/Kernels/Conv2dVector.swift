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
