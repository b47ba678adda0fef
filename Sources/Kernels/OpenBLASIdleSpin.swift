#if canImport(Glibc)
import Glibc
#endif

/// How long OpenBLAS's idle worker threads busy-wait for the next call before they sleep.
///
/// The pthreads build keeps its workers spinning on `sched_yield` for 2^28 TSC ticks (about
/// 70 ms) after every threaded call. Our own parallel loops (im2col, layout copies, batch-norm…)
/// run between GEMMs on as many threads as there are cores, so that spinning worker took a third
/// of the CPU from them: 25–30 % of the convolution benchmark's CPU time was system time in
/// `sched_yield`. OpenBLAS reads the limit (`OPENBLAS_THREAD_TIMEOUT`, log2 of the ticks) only
/// when it starts its thread pool, which happens before `main`, so `limit` restarts the pool.
public enum OpenBLASIdleSpin {
  /// log2 of the spin ticks: 2^20 ≈ 0.3 ms, long enough to catch back-to-back GEMMs of one
  /// operation, short enough to be gone before our own loops start.
  public static let defaultLog2Ticks = 20

  /// Applies the default limit the first time it is read (from `Threading.setThreadCount`).
  public static let appliedAtStartup: Bool = limit()

  /// Sets the spin limit and restarts OpenBLAS's thread pool so it applies; a no-op when the
  /// library is not the pthreads build (the entry points are looked up at run time) or when the
  /// user set `OPENBLAS_THREAD_TIMEOUT` in the environment. Call while no BLAS call is running.
  ///
  /// - Returns: whether the limit was applied.
  @discardableResult
  public static func limit(log2Ticks: Int = defaultLog2Ticks, overridingEnvironment: Bool = false) -> Bool {
    guard overridingEnvironment || getenv("OPENBLAS_THREAD_TIMEOUT") == nil,
          let readEnvironment = loadedSymbol("openblas_read_env", as: (@convention(c) () -> Void).self),
          let shutdown = loadedSymbol("blas_thread_shutdown_", as: (@convention(c) () -> Int32).self),
          let start = loadedSymbol("blas_thread_init", as: (@convention(c) () -> Int32).self)
    else { return false }
    setenv("OPENBLAS_THREAD_TIMEOUT", String(min(30, max(4, log2Ticks))), 1)
    readEnvironment()
    _ = shutdown()
    _ = start()
    return true
  }
}
