/// The buffers one MFD tap keeps between its forward and backward passes, reused across steps.
///
/// A tap computes its loss in `forward` and its gradient in `backward`, so the centred
/// observations Z and the gradient multiplier M have to outlive the forward call. Buffers only
/// ever grow: once the largest batch has been seen, a training step allocates nothing.
///
/// Not thread-safe: one workspace per tap, used by one training loop at a time.
public final class MFDWorkspace: @unchecked Sendable {
  /// Dimensions of the last forward (or statistic) call.
  public private(set) var batch = 0
  public private(set) var channels = 0
  public private(set) var pixels = 0

  /// Mean |R_ij| over i ≠ j of the last `mfdLossForward`, a free by-product of the loss pass.
  public internal(set) var lastMeanAbsoluteCorrelation: Float = 0

  /// True between `mfdLossForward` and anything that overwrites Z or M.
  var holdsGradientState = false

  /// Z: the input centred by its batch-mean map, one row per channel. [channels, batch·pixels]
  let centred = GrowableBuffer<Float>()
  /// G = Z·Zᵀ, upper triangle only (SYRK); the loss pass then overwrites the part above the
  /// diagonal with R. [channels, channels]
  let gram = GrowableBuffer<Float>()
  /// M = 2·∂L/∂G, symmetric, so that dL/dZ = M·Z; upper triangle only (SYMM). [channels, channels]
  let multiplier = GrowableBuffer<Float>()
  /// dL/dZ of one chunk of samples before it is scattered back to NCHW. [channels, chunk·pixels]
  let gradientRows = GrowableBuffer<Float>()
  /// Per-channel batch mean of (x_b − x_0), the centring map relative to sample 0. [channels, pixels]
  let meanOffset = GrowableBuffer<Float>()
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
    centred.reserve(channels * batch * pixels)
    gram.reserve(channels * channels)
    meanOffset.reserve(channels * pixels)
    norms.reserve(channels)
    inverseNorms.reserve(channels)
    rowSquares.reserve(channels)
    rowAbsolutes.reserve(channels)
    rowUnclampedSquares.reserve(channels)
    columnUnclampedSquares.reserve(channels)
  }

  /// Bytes currently held, for memory reports.
  public var allocatedBytes: Int {
    (centred.capacity + gram.capacity + multiplier.capacity + gradientRows.capacity
      + meanOffset.capacity) * MemoryLayout<Float>.stride
      + (norms.capacity + inverseNorms.capacity + rowSquares.capacity + rowAbsolutes.capacity
         + rowUnclampedSquares.capacity + columnUnclampedSquares.capacity) * MemoryLayout<Double>.stride
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
    pointer = UnsafeMutableRawPointer.allocate(
      byteCount: count * MemoryLayout<Element>.stride, alignment: 64
    ).bindMemory(to: Element.self, capacity: count)
    capacity = count
  }

  deinit { UnsafeMutableRawPointer(pointer).deallocate() }
}
