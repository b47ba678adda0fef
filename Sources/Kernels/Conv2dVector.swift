/// Contiguous-row vector helpers for the convolution kernels (axpy, dot, sum over one row).
///
/// Written with explicit 8-lane SIMD because the compiler may not vectorise Float reductions
/// (reassociation changes rounding) and cannot prove two raw pointers do not alias. Each function
/// sums in a fixed lane order, so results depend only on the data, never on threading.
enum Conv2dVector {
  @inline(__always)
  static func load(_ pointer: UnsafePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(pointer).loadUnaligned(as: SIMD8<Float>.self)
  }

  @inline(__always)
  static func store(_ value: SIMD8<Float>, _ pointer: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(pointer).storeBytes(of: value, as: SIMD8<Float>.self)
  }

  /// y[i] += x[i] for i in 0..<count.
  @inline(__always)
  static func add(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int) {
    var i = 0
    while i + 8 <= count {
      store(load(y + i) + load(x + i), y + i)
      i += 8
    }
    while i < count {
      y[i] += x[i]
      i += 1
    }
  }

  /// y[i] += scale · x[i] for i in 0..<count.
  @inline(__always)
  static func addScaled(
    _ x: UnsafePointer<Float>, by scale: Float, into y: UnsafeMutablePointer<Float>, count: Int
  ) {
    let scales = SIMD8<Float>(repeating: scale)
    var i = 0
    while i + 8 <= count {
      store(load(y + i) + scales * load(x + i), y + i)
      i += 8
    }
    while i < count {
      y[i] += scale * x[i]
      i += 1
    }
  }

  /// Σ a[i] · b[i] for i in 0..<count.
  @inline(__always)
  static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
    var lanes = SIMD8<Float>()
    var i = 0
    while i + 8 <= count {
      lanes += load(a + i) * load(b + i)
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
      lanes += load(x + i)
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
