/// Largest elementwise error of `actual` against `expected`, relative to max(|expected|, `floor`).
///
/// The floor keeps values near zero from dominating: an absolute error of 1e-7 on a 1e-9 entry
/// says nothing about a kernel's correctness.
public func maxRelativeError(_ actual: [Float], _ expected: [Float], floor: Float = 1) -> Float {
  precondition(actual.count == expected.count, "comparing \(actual.count) values with \(expected.count)")
  var worst: Float = 0
  for i in actual.indices {
    let scale = max(abs(expected[i]), floor)
    let error = abs(actual[i] - expected[i]) / scale
    if error.isNaN { return .infinity }
    worst = max(worst, error)
  }
  return worst
}

/// Largest elementwise error relative to the largest magnitude in `expected` (at least `floor`).
public func maxScaledError(_ actual: [Float], _ expected: [Float], floor: Float = 1e-6) -> Float {
  precondition(actual.count == expected.count, "comparing \(actual.count) values with \(expected.count)")
  let scale = max(expected.map { abs($0) }.max() ?? 0, floor)
  var worst: Float = 0
  for i in actual.indices {
    let error = abs(actual[i] - expected[i]) / scale
    if error.isNaN { return .infinity }
    worst = max(worst, error)
  }
  return worst
}
