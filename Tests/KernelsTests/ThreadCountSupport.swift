import Kernels

/// Runs `body` with `count` workers, then restores the single-threaded default.
///
/// The thread count is process-wide and suites run concurrently, so another test may change it
/// meanwhile; the kernels' results never depend on it, which is exactly what the callers check.
func withThreadCount<T>(_ count: Int, _ body: () throws -> T) rethrows -> T {
  Threading.setThreadCount(count)
  defer { Threading.setThreadCount(1) }
  return try body()
}
