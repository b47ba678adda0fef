import Kernels

/// The reference rate: OpenBLAS sgemm on a large square problem, measured in the same run as
/// everything it is compared with (shared machines drift; ratios within one run are honest).
public struct SgemmRate: Sendable, Codable {
  public var size: Int
  public var gflops: Double
}

/// Measures row-major sgemm GFLOPS for m×n×k (2·m·n·k FLOPs per call).
public func measureSgemm(m: Int, n: Int, k: Int, repetitions: Int = 5) -> Double {
  let a = makeBuffer(m * k, seed: 1), b = makeBuffer(k * n, seed: 2), c = makeBuffer(m * n, seed: 3)
  defer { a.deallocate(); b.deallocate(); c.deallocate() }
  let seconds = medianSeconds(warmup: 2, repetitions: repetitions) {
    sgemm(.none, .none, m: m, n: n, k: k, a: a, lda: k, b: b, ldb: n, c: c, ldc: n)
  }
  return 2 * Double(m) * Double(n) * Double(k) / seconds / 1e9
}

/// The best of the square sizes the baseline document uses (1024³ and 2048³).
public func measureSgemmCeiling() -> SgemmRate {
  let candidates = [1024, 2048].map { SgemmRate(size: $0, gflops: measureSgemm(m: $0, n: $0, k: $0)) }
  return candidates.max { $0.gflops < $1.gflops }!
}
