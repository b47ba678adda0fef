import CBLAS

/// Whether a GEMM operand is used as stored or transposed.
public enum Transpose: Sendable {
  case none, transposed

  @usableFromInline var cblas: CBLAS_TRANSPOSE {
    self == .none ? CblasNoTrans : CblasTrans
  }
}

/// Row-major single-precision GEMM: C = alpha · op(A) · op(B) + beta · C.
///
/// - op(A): [m, k]; stored [m, lda] (or [k, lda] when transposed).
/// - op(B): [k, n]; stored [k, ldb] (or [n, ldb] when transposed).
/// - C: [m, n], stored [m, ldc].
@inlinable
public func sgemm(
  _ transA: Transpose, _ transB: Transpose,
  m: Int, n: Int, k: Int,
  alpha: Float = 1,
  a: UnsafePointer<Float>, lda: Int,
  b: UnsafePointer<Float>, ldb: Int,
  beta: Float = 0,
  c: UnsafeMutablePointer<Float>, ldc: Int
) {
  guard m > 0, n > 0 else { return }
  if k == 0 {
    // BLAS leaves C untouched only for beta == 1; honour the general contract ourselves.
    for i in 0..<m {
      for j in 0..<n { c[i * ldc + j] = beta == 0 ? 0 : beta * c[i * ldc + j] }
    }
    return
  }
  OpenMPTeam.useThreadCount()
  cblas_sgemm(
    CblasRowMajor, transA.cblas, transB.cblas,
    blasint(m), blasint(n), blasint(k),
    alpha, a, blasint(lda), b, blasint(ldb),
    beta, c, blasint(ldc))
}

/// Row-major symmetric rank-k update of the upper triangle: C = alpha · A · Aᵀ + beta · C.
///
/// - a: [n, k], stored [n, lda]. c: [n, n], stored [n, ldc]; only the upper triangle is written.
@inlinable
public func ssyrkUpper(
  n: Int, k: Int, alpha: Float = 1,
  a: UnsafePointer<Float>, lda: Int,
  beta: Float = 0,
  c: UnsafeMutablePointer<Float>, ldc: Int
) {
  guard n > 0 else { return }
  OpenMPTeam.useThreadCount()
  cblas_ssyrk(
    CblasRowMajor, CblasUpper, CblasNoTrans,
    blasint(n), blasint(k), alpha, a, blasint(lda), beta, c, blasint(ldc))
}

/// Row-major C = alpha · A · B + beta · C with A [m, m] symmetric, read from its upper triangle only: M is
/// built above the diagonal alone, and mirroring it for SGEMM would cost a strided C×C pass.
/// OpenBLAS runs SSYMM at the SGEMM rate. B, C: [m, n].
func ssymmUpperLeft(
  m: Int, n: Int, alpha: Float,
  a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
  beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int
) {
  guard m > 0, n > 0 else { return }
  OpenMPTeam.useThreadCount()
  cblas_ssymm(CblasRowMajor, CblasLeft, CblasUpper, blasint(m), blasint(n),
              alpha, a, blasint(lda), b, blasint(ldb), beta, c, blasint(ldc))
}
