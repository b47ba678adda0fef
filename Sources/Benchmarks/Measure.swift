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

/// Median seconds of each of `bodies`, timed in rounds (every body once per round, in order)
/// after one untimed round, so that all of them see the same machine conditions.
public func alternatingMedianSeconds(repetitions: Int, _ bodies: [() -> Void]) -> [Double] {
  for body in bodies { body() }
  var times = [[Double]](repeating: [], count: bodies.count)
  for _ in 0..<max(1, repetitions) {
    for (index, body) in bodies.enumerated() {
      let start = monotonicSeconds()
      body()
      times[index].append(monotonicSeconds() - start)
    }
  }
  return times.map { $0.sorted()[$0.count / 2] }
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
