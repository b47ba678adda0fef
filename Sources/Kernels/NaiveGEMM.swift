/// Reference GEMM in triple loops with Double accumulation, for tests. Same contract as `sgemm`.
public func naiveGEMM(
  _ transA: Transpose, _ transB: Transpose,
  m: Int, n: Int, k: Int,
  alpha: Float = 1,
  a: UnsafePointer<Float>, lda: Int,
  b: UnsafePointer<Float>, ldb: Int,
  beta: Float = 0,
  c: UnsafeMutablePointer<Float>, ldc: Int
) {
  for i in 0..<m {
    for j in 0..<n {
      var sum = 0.0
      for p in 0..<k {
        let av = transA == .none ? a[i * lda + p] : a[p * lda + i]
        let bv = transB == .none ? b[p * ldb + j] : b[j * ldb + p]
        sum += Double(av) * Double(bv)
      }
      let old = beta == 0 ? 0 : Double(beta) * Double(c[i * ldc + j])
      c[i * ldc + j] = Float(Double(alpha) * sum + old)
    }
  }
}
