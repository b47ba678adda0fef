import Foundation
@testable import Kernels
import Testing

/// Our parallel loops run on libgomp's team (OpenMPTeam.swift), shared with oneDNN and
/// OpenBLAS's OpenMP build: every index is still handled exactly once, also when a loop is
/// nested in another's worker (OpenMP runs the inner region on that worker alone), when more
/// workers are asked for than the machine has cores, and from threads other than the main one.
@Suite(.serialized) struct ThreadTeamTests {
  /// Counts visits per index; workers write disjoint indices.
  final class Visits: @unchecked Sendable {
    let counts: UnsafeMutablePointer<Int>
    let size: Int
    init(_ size: Int) {
      self.size = size
      counts = .allocate(capacity: size)
      counts.initialize(repeating: 0, count: size)
    }
    deinit { counts.deallocate() }
    var eachOnce: Bool { (0..<size).allSatisfy { counts[$0] == 1 } }
  }

  @Test(arguments: [1, 2, 3, 8]) func everyIndexOnceAtAnyThreadCount(threads: Int) {
    Threading.setThreadCount(threads)
    defer { Threading.setThreadCount(1) }
    let visits = Visits(997)
    parallelChunks(visits.size) { range in
      for i in range { visits.counts[i] += 1 }
    }
    #expect(visits.eachOnce)
  }

  @Test func nestedLoopsVisitEveryPairOnce() {
    Threading.setThreadCount(2)
    defer { Threading.setThreadCount(1) }
    let (outer, inner) = (7, 13)
    let visits = Visits(outer * inner)
    parallelFor(outer) { i in
      parallelFor(inner) { j in visits.counts[i * inner + j] += 1 }
    }
    #expect(visits.eachOnce)
  }

  /// A thread that never set the count itself (a Foundation thread here, whose OpenMP default
  /// is one thread per core) still runs its loops and GEMMs on the process-wide count, here one
  /// more than the cores so that the default would show. (OpenBLAS caps its own count at the
  /// cores; what is checked is the OpenMP setting it and oneDNN read on that thread.)
  @Test func loopsAndGEMMsFromAnotherThread() {
    let threads = ProcessInfo.processInfo.activeProcessorCount + 1
    Threading.setThreadCount(threads)
    defer { Threading.setThreadCount(1) }
    let (m, n, k) = (64, 96, 80)
    let a = (0..<(m * k)).map { Float($0 % 7) - 3 }
    let b = (0..<(k * n)).map { Float($0 % 5) - 2 }
    var onMain = [Float](repeating: 0, count: m * n)
    sgemm(.none, .none, m: m, n: n, k: k, a: a, lda: k, b: b, ldb: n, c: &onMain, ldc: n)

    let visits = Visits(501)
    let product = UncheckedSendable(UnsafeMutablePointer<Float>.allocate(capacity: m * n))
    defer { product.value.deallocate() }
    let teamSize = UncheckedSendable(UnsafeMutablePointer<Int?>.allocate(capacity: 1))
    defer { teamSize.value.deallocate() }
    let finished = DispatchSemaphore(value: 0)
    let thread = Thread {
      parallelFor(visits.size) { visits.counts[$0] += 1 }
      sgemm(.none, .none, m: m, n: n, k: k, a: a, lda: k, b: b, ldb: n, c: product.value, ldc: n)
      teamSize.value.initialize(to: OpenMPTeam.teamSizeOfThisThread)
      finished.signal()
    }
    thread.start()
    finished.wait()
    #expect(visits.eachOnce)
    #expect(teamSize.value.pointee == threads)
    // Small integers: exact in Float whatever the order of the sums.
    #expect((0..<(m * n)).allSatisfy { product.value[$0] == onMain[$0] })
    #expect(Threading.description.contains("OpenBLAS"))
  }
}
