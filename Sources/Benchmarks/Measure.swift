/// Median seconds of `body` over `repetitions` runs after `warmup` untimed runs.
public func medianSeconds(warmup: Int = 1, repetitions: Int, _ body: () -> Void) -> Double {
  for _ in 0..<warmup { body() }
  var times: [Double] = []
  for _ in 0..<max(1, repetitions) {
    let start = monotonicSeconds()
    body()
    times.append(monotonicSeconds() - start)
  }
  times.sort()
  return times[times.count / 2]
}

/// A Float buffer filled with small deterministic values, freed by the caller.
func makeBuffer(_ count: Int, seed: UInt32 = 1) -> UnsafeMutablePointer<Float> {
  let p = UnsafeMutablePointer<Float>.allocate(capacity: count)
  var x = seed &* 2_654_435_761 | 1
  for i in 0..<count {
    x ^= x << 13; x ^= x >> 17; x ^= x << 5
    p[i] = Float(x % 2001) / 1000 - 1
  }
  return p
}
