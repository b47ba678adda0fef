/// The buffers one MFD tap keeps between its forward and backward passes, reused across steps.
///
/// A tap computes its loss in `forward` and its gradient in `backward`, so the batch-mean map and
/// the gradient multiplier M have to outlive the forward call; the centred observations do not:
/// the backward rebuilds them from the (unchanged) input a chunk at a time. Buffers only ever
/// grow: once the largest batch has been seen, a training step allocates nothing.
///
/// Not thread-safe: one workspace per tap, used by one training loop at a time.
public final class MFDWorkspace: @unchecked Sendable {
  /// Dimensions of the last forward (or statistic) call.
  public private(set) var batch = 0
  public private(set) var channels = 0
  public private(set) var pixels = 0

  /// Mean |R_ij| over i ≠ j of the last `mfdLossForward`, a free by-product of the loss pass.
  public internal(set) var lastMeanAbsoluteCorrelation: Float = 0

  /// True between `mfdLossForward` and anything that overwrites the mean map or M.
  var holdsGradientState = false
  #if DEBUG
  /// Checksum of the forward's input: debug builds check that the backward gets the same data.
  var inputFingerprint: UInt64 = 0
  #endif

  /// G = Z·Zᵀ, upper triangle only (SYRK); the loss pass then overwrites the part above the
  /// diagonal with R. [channels, channels]
  let gram = GrowableBuffer<Float>()
  /// M = 2·∂L/∂G, symmetric, so that dL/dZ = M·Z; upper triangle only (SYMM). [channels, channels]
  let multiplier = GrowableBuffer<Float>()
  /// ν: batch mean of X[b] − X[0], the centring map relative to sample 0. [channels, pixels]
  let meanOffset = GrowableBuffer<Float>()
  /// One set of chunk buffers per worker.
  private(set) var workers: [MFDWorkerBuffers] = []
  /// n_i = √G_ii in Double. [channels]
  let norms = GrowableBuffer<Double>()
  /// 1/n_i, and 0 for a dead channel. [channels]
  let inverseNorms = GrowableBuffer<Double>()
  /// Sums over each row's pairs above the diagonal: R_ij², |R_ij| and unclamped R_ij². [channels]
  let rowSquares = GrowableBuffer<Double>()
  let rowAbsolutes = GrowableBuffer<Double>()
  let rowUnclampedSquares = GrowableBuffer<Double>()
  /// Σ_{i<j} unclamped R_ij² down each column, the other half of M's diagonal. [channels]
  let columnUnclampedSquares = GrowableBuffer<Double>()

  public init() {}

  /// Records the dimensions and grows the buffers the forward pass needs.
  func prepare(batch: Int, channels: Int, pixels: Int) {
    precondition(batch >= 1 && channels >= 1 && pixels >= 1,
                 "MFD needs batch, channels and pixels ≥ 1, got [\(batch), \(channels), \(pixels)]")
    self.batch = batch
    self.channels = channels
    self.pixels = pixels
    holdsGradientState = false
    gram.reserve(channels * channels)
    meanOffset.reserve(channels * pixels)
    norms.reserve(channels)
    inverseNorms.reserve(channels)
    rowSquares.reserve(channels)
    rowAbsolutes.reserve(channels)
    rowUnclampedSquares.reserve(channels)
    columnUnclampedSquares.reserve(channels)
  }

  /// The first `count` workers' buffers, created on first use.
  func workerBuffers(_ count: Int) -> ArraySlice<MFDWorkerBuffers> {
    while workers.count < count { workers.append(MFDWorkerBuffers()) }
    return workers[0..<count]
  }

  /// Bytes currently held, for memory reports.
  public var allocatedBytes: Int {
    (gram.capacity + multiplier.capacity + meanOffset.capacity) * MemoryLayout<Float>.stride
      + workers.reduce(0) { $0 + $1.allocatedBytes }
      + (norms.capacity + inverseNorms.capacity + rowSquares.capacity + rowAbsolutes.capacity
         + rowUnclampedSquares.capacity + columnUnclampedSquares.capacity) * MemoryLayout<Double>.stride
  }
}

/// What one worker of the MFD loss moves its chunks of samples through.
final class MFDWorkerBuffers: @unchecked Sendable {
  /// Shifted (forward) or centred (backward) observations of one chunk. [channels, chunk·pixels]
  let rows = GrowableBuffer<Float>()
  /// scale·M·Z of one chunk before it is scattered back to NCHW. [channels, chunk·pixels]
  let products = GrowableBuffer<Float>()
  /// Σ (X[b] − X[0]) over the worker's samples. [channels, pixels]
  let sums = GrowableBuffer<Float>()
  /// The worker's share of the Gram (worker 0 writes the workspace's own). [channels, channels]
  let gram = GrowableBuffer<Float>()

  var allocatedBytes: Int {
    (rows.capacity + products.capacity + sums.capacity + gram.capacity) * MemoryLayout<Float>.stride
  }
}

/// A 64-byte aligned buffer that is reallocated only when asked for more than it holds.
/// Contents are not preserved across growth: every user overwrites what it reads.
final class GrowableBuffer<Element: BitwiseCopyable> {
  private(set) var pointer: UnsafeMutablePointer<Element>
  private(set) var capacity = 0

  init() {
    pointer = UnsafeMutableRawPointer.allocate(byteCount: 64, alignment: 64)
      .bindMemory(to: Element.self, capacity: 0)
  }

  /// Ensures room for `count` elements.
  func reserve(_ count: Int) {
    guard count > capacity else { return }
    UnsafeMutableRawPointer(pointer).deallocate()
    MemoryLedger.record((count - capacity) * MemoryLayout<Element>.stride, .mfdScratch)
    pointer = UnsafeMutableRawPointer.allocate(
      byteCount: count * MemoryLayout<Element>.stride, alignment: 64
    ).bindMemory(to: Element.self, capacity: count)
    capacity = count
  }

  deinit {
    UnsafeMutableRawPointer(pointer).deallocate()
    MemoryLedger.record(-capacity * MemoryLayout<Element>.stride, .mfdScratch)
  }
}
