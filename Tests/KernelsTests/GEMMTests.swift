import Kernels
import Testing
import TestSupport

@Suite struct GEMMTests {
  @Test(arguments: [(Transpose.none, Transpose.none), (.none, .transposed), (.transposed, .none), (.transposed, .transposed)])
  func sgemmMatchesNaiveReference(transA: Transpose, transB: Transpose) {
    let (m, n, k) = (7, 5, 9)
    let a = randomValues(m * k, seed: 1)
    let b = randomValues(k * n, seed: 2)
    var fast = randomValues(m * n, seed: 3)
    var slow = fast
    let lda = transA == .none ? k : m
    let ldb = transB == .none ? n : k
    sgemm(transA, transB, m: m, n: n, k: k, alpha: 0.5, a: a, lda: lda, b: b, ldb: ldb, beta: 2, c: &fast, ldc: n)
    naiveGEMM(transA, transB, m: m, n: n, k: k, alpha: 0.5, a: a, lda: lda, b: b, ldb: ldb, beta: 2, c: &slow, ldc: n)
    #expect(maxRelativeError(fast, slow) < 1e-5)
  }

  @Test func parallelChunksVisitsEveryIndexOnce() {
    Threading.setThreadCount(2)
    defer { Threading.setThreadCount(1) }
    let hits = UnsafeMutablePointer<Int>.allocate(capacity: 1001)
    hits.initialize(repeating: 0, count: 1001)
    defer { hits.deallocate() }
    let box = UncheckedSendable(hits)
    parallelFor(1001) { i in box.value[i] += 1 }
    #expect((0..<1001).allSatisfy { hits[$0] == 1 })
  }
}
