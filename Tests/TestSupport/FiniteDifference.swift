/// Central-difference gradient of a scalar function with respect to `count` Floats at `x`.
///
/// `f` is evaluated in Double where the caller can; with Float32 kernels choose `step` around
/// 1e-2…1e-3 and compare with a tolerance of about 1e-2 relative.
public func finiteDifferenceGradient(
  at x: UnsafeMutablePointer<Float>, count: Int, step: Float = 1e-2, of f: () -> Double
) -> [Float] {
  var gradient = [Float](repeating: 0, count: count)
  for i in 0..<count {
    let saved = x[i]
    x[i] = saved + step
    let plus = f()
    x[i] = saved - step
    let minus = f()
    x[i] = saved
    gradient[i] = Float((plus - minus) / (2 * Double(step)))
  }
  return gradient
}

/// Σ a[i]·b[i] in Double: turns a tensor output into a scalar for gradient checks.
public func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Double {
  var sum = 0.0
  for i in 0..<count { sum += Double(a[i]) * Double(b[i]) }
  return sum
}
