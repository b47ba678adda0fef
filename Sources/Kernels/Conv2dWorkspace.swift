/// Scratch memory for the convolution kernels (im2col columns, packed GEMM operands), owned by
/// the caller and reused across calls.
///
/// It only ever grows, so once a layer has seen its largest shape a training step allocates
/// nothing. The contents are undefined between calls: every kernel writes before it reads.
public final class Conv2dWorkspace {
  /// Floats currently allocated.
  public private(set) var capacity: Int = 0
  private var base: UnsafeMutablePointer<Float>?

  public init() {}

  deinit {
    base?.deallocate()
    MemoryLedger.record(-capacity * MemoryLayout<Float>.stride, .convolutionScratch)
  }

  /// At least `count` Floats of 64-byte aligned scratch (aligned like `Tensor` storage so
  /// OpenBLAS sees the same alignment for packed and unpacked operands).
  ///
  /// The pointer stays valid until the next call that needs more room.
  public func floats(_ count: Int) -> UnsafeMutablePointer<Float> {
    if let base, count <= capacity { return base }
    base?.deallocate()
    // Grow by at least half again so a slowly rising demand does not reallocate every call.
    let newCapacity = max(count, capacity + capacity / 2, 1)
    let raw = UnsafeMutableRawPointer.allocate(
      byteCount: newCapacity * MemoryLayout<Float>.stride, alignment: 64)
    let pointer = raw.bindMemory(to: Float.self, capacity: newCapacity)
    base = pointer
    MemoryLedger.record((newCapacity - capacity) * MemoryLayout<Float>.stride, .convolutionScratch)
    capacity = newCapacity
    return pointer
  }
}
