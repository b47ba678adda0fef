import Dispatch

/// The one thread team every kernel runs on: libgomp's, which oneDNN's primitives and
/// OpenBLAS's OpenMP build use too.
///
/// Why one team: with our loops on Dispatch workers, OpenBLAS on its pthreads and oneDNN on
/// libgomp, three pools of two threads shared two cores, and each pool's threads spin for a
/// while after their work before sleeping. Every hand-over from one library to another then
/// found the cores busy with the previous pool's spinning. On one team the same two threads
/// run everything, and a spinning thread is the one about to get the next piece of work:
/// training steps took 6–19 % less time (README, "Performance").
///
/// libgomp is reached through `GOMP_parallel`, the entry point GCC compiles `#pragma omp
/// parallel` to, looked up at run time in the copy oneDNN loaded (Debian keeps the link-time
/// `libgomp.so` in GCC's private directory, and clang's `-fopenmp` would bring LLVM's runtime,
/// a second team). Without libgomp, work goes to Dispatch's workers.
@usableFromInline
enum OpenMPTeam {
  private typealias Function = @convention(c) (UnsafeMutableRawPointer?) -> Void
  private typealias Parallel = @convention(c) (Function, UnsafeMutableRawPointer?, UInt32, UInt32) -> Void
  private typealias Query = @convention(c) () -> Int32
  private typealias Setting = @convention(c) (Int32) -> Void

  private struct EntryPoints {
    let parallel: Parallel
    let threadNumber, teamSize, maximumThreads: Query
    let setThreads: Setting
  }

  private static let entryPoints: EntryPoints? = {
    _ = OneDNN.engine  // loads libdnnl and with it libgomp
    guard let parallel = loadedSymbol("GOMP_parallel", as: Parallel.self),
          let threadNumber = loadedSymbol("omp_get_thread_num", as: Query.self),
          let teamSize = loadedSymbol("omp_get_num_threads", as: Query.self),
          let maximumThreads = loadedSymbol("omp_get_max_threads", as: Query.self),
          let setThreads = loadedSymbol("omp_set_num_threads", as: Setting.self)
    else { return nil }
    return EntryPoints(parallel: parallel, threadNumber: threadNumber, teamSize: teamSize,
                       maximumThreads: maximumThreads, setThreads: setThreads)
  }()

  /// Whether work runs on libgomp's team (else on Dispatch's workers).
  static var isAvailable: Bool { entryPoints != nil }

  /// The team size this thread's OpenMP calls would get (nil without libgomp).
  static var teamSizeOfThisThread: Int? { entryPoints.map { Int($0.maximumThreads()) } }

  /// Sizes the teams that this thread's library calls start to `Threading.threadCount`.
  ///
  /// OpenMP keeps the size per calling thread, and oneDNN's primitives and OpenBLAS's OpenMP
  /// build both take theirs from it at each call (OpenBLAS resets its own count to it), so a
  /// thread that never set it would run them on as many threads as the machine has cores
  /// whatever `--threads` says. Every oneDNN execution and BLAS call comes here first; it is a
  /// thread-local read when nothing changed.
  @usableFromInline
  static func useThreadCount() {
    guard let entryPoints else { return }
    let count = Int32(Threading.threadCount)
    if entryPoints.maximumThreads() != count { entryPoints.setThreads(count) }
  }

  /// What each team thread is handed: the body, the worker count and how to find its place.
  private struct Region {
    let body: (Int) -> Void
    let workers: Int
    let threadNumber: Query
    let teamSize: Query
  }

  /// Runs `body(worker)` once for every worker in `0..<workers`, each on its own thread of the
  /// team (the calling thread is worker 0), and returns when all have finished. A team smaller
  /// than asked for (a region nested inside a worker runs on that worker alone, as OpenMP
  /// nests) takes the workers in turns.
  @usableFromInline
  static func run(_ workers: Int, _ body: (Int) -> Void) {
    guard let entryPoints else {
      withoutActuallyEscaping(body) { escapable in
        let box = UncheckedSendable(escapable)
        DispatchQueue.concurrentPerform(iterations: workers) { box.value($0) }
      }
      return
    }
    withoutActuallyEscaping(body) { escapable in
      var region = Region(body: escapable, workers: workers, threadNumber: entryPoints.threadNumber,
                          teamSize: entryPoints.teamSize)
      withUnsafeMutablePointer(to: &region) { pointer in
        entryPoints.parallel({ data in
          let region = data!.assumingMemoryBound(to: Region.self).pointee
          let threads = max(1, Int(region.teamSize()))
          for worker in stride(from: Int(region.threadNumber()), to: region.workers, by: threads) {
            region.body(worker)
          }
        }, UnsafeMutableRawPointer(pointer), UInt32(workers), 0)
      }
    }
  }
}
