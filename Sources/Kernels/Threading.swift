import CBLAS
import Synchronization

/// The number of worker threads every kernel may use, shared by OpenBLAS, oneDNN and our own
/// loops, which all run on one team (`OpenMPTeam`).
///
/// OpenBLAS keeps its thread count process-wide, so this is process-wide too; setting it once at
/// start-up (from `--threads`) sizes every library's work the same and never oversubscribes the
/// cores.
public enum Threading {
  private static let configured = Mutex<Int>(1)

  /// Current worker count (≥ 1).
  public static var threadCount: Int { configured.withLock { $0 } }

  /// How the work is threaded, for benchmark reports: which OpenBLAS build is loaded (the
  /// OpenMP one shares libgomp's team with oneDNN and our loops; `OpenMPTeam`) and where our
  /// loops run.
  public static var description: String {
    let blas = switch openblas_get_parallel() {
    case 0: "sequential OpenBLAS"
    case 1: "OpenBLAS pthreads build"
    case 2: "OpenBLAS OpenMP build"
    default: "OpenBLAS (threading \(openblas_get_parallel()))"
    }
    return "\(blas), our loops on " + (OpenMPTeam.isAvailable ? "libgomp's team" : "Dispatch workers")
  }

  /// Sets the worker count for our parallel loops and for OpenBLAS.
  public static func setThreadCount(_ count: Int) {
    let n = max(1, count)
    configured.withLock { $0 = n }
    _ = OpenBLASIdleSpin.appliedAtStartup
    openblas_set_num_threads(Int32(n))
  }
}

/// Runs `body(range)` over `0..<count` split into at most `Threading.threadCount` contiguous
/// chunks, one per worker. Each index is handled by exactly one worker in a fixed order, so a
/// body that writes only its own indices gives bit-identical results whatever the scheduling.
@inlinable
public func parallelChunks(_ count: Int, minimumChunk: Int = 1, _ body: (Range<Int>) -> Void) {
  guard count > 0 else { return }
  let workers = min(Threading.threadCount, max(1, count / max(1, minimumChunk)))
  if workers <= 1 {
    body(0..<count)
    return
  }
  OpenMPTeam.run(workers) { worker in
    let lower = count * worker / workers
    let upper = count * (worker + 1) / workers
    if lower < upper { body(lower..<upper) }
  }
}

/// Runs `body(i)` for every `i` in `0..<count`, spread over the workers (see `parallelChunks`).
@inlinable
public func parallelFor(_ count: Int, _ body: (Int) -> Void) {
  parallelChunks(count) { range in
    for i in range { body(i) }
  }
}

/// Carries a value whose thread-safety the caller guarantees (raw buffers that workers write in
/// disjoint ranges) across a concurrency boundary.
public struct UncheckedSendable<Value>: @unchecked Sendable {
  public let value: Value
  @inlinable public init(_ value: Value) { self.value = value }
}

/// Runs `body(worker)` for every worker in `0..<workers` (at most `Threading.threadCount` at a
/// time), with OpenBLAS pinned to one thread meanwhile so each worker can call BLAS on its own
/// share without oversubscribing the cores; the BLAS thread count is restored afterwards.
///
/// For products whose output is small and whose inner dimension is huge (the MFD Gram: C×C over
/// B·H·W observations) splitting the inner dimension between workers beats OpenBLAS's own split
/// of the output, and lets each worker fuse its data movement with its products in cache.
public func parallelWorkersWithSerialBLAS(_ workers: Int, _ body: (Int) -> Void) {
  guard workers > 1 else {
    if workers == 1 { body(0) }
    return
  }
  openblas_set_num_threads(1)
  defer { openblas_set_num_threads(Int32(Threading.threadCount)) }
  parallelFor(workers, body)
}
