import Kernels

/// Recycles input-gradient buffers during a backward pass, so a model holds only the gradients
/// still in flight instead of one per layer (ResNet50 at batch 128: ~5 GB less).
///
/// A layer takes its input-gradient buffer from the pool in `backward` and gives it back in
/// `releaseGradient()`, which its parent composite calls once the gradient has been consumed.
/// Buffers are matched by best fit (the smallest free one that is large enough); nothing is zeroed, because every backward kernel
/// overwrites its whole input gradient. Not thread-safe: one model, one backward at a time.
///
/// It also holds the model's one convolution scratch buffer: layers run one at a time and no
/// kernel keeps scratch contents between calls, so one buffer sized for the largest layer serves
/// them all (ResNet50 at batch 128: ~1 GB less than one per layer).
public final class GradientPool {
  /// Free buffers, ordered by storage capacity (smallest first) for best-fit search.
  private var free: [Tensor] = []
  /// im2col columns and packed operands, shared by every `Conv2d` attached to this pool.
  public let convolutionScratch = Conv2dWorkspace()
  /// Bytes ever allocated by this pool (its high-water mark).
  public private(set) var allocatedBytes = 0

  /// A free buffer serves a request up to this many times smaller than itself.
  static let maximumOversize = 2

  public init() {}

  /// A buffer of `shape`: the smallest free buffer that holds it and is at most
  /// `maximumOversize` times its size, else a new one.
  ///
  /// Best fit rather than same size: DenseNet's gradients grow by 32 channels per layer, so
  /// exact-size matching never reused a buffer inside a dense block and its backward pass kept
  /// one buffer of every size (3.5 GB of the 9.7 GB a DenseNet121 step held at batch 128).
  /// Bounded: a large buffer freed during the forward pass (a projection's output, once summed)
  /// would otherwise go to the next small activation and be gone when the backward pass needs
  /// that size again (ResNet50 at batch 16: 774 → 752 MB of tensors).
  func acquire(_ shape: [Int]) -> Tensor {
    let count = shape.reduce(1, *)
    if let index = free.firstIndex(where: { $0.storageCapacity >= count }),
       free[index].storageCapacity <= GradientPool.maximumOversize * count {
      let buffer = free.remove(at: index)
      return buffer.shape == shape ? buffer : buffer.prefixView(shape)
    }
    allocatedBytes += count * MemoryLayout<Float>.stride
    return Tensor(zeros: shape)
  }

  /// Returns `buffer` for reuse; the caller must not touch it afterwards.
  func release(_ buffer: Tensor) {
    let index = free.firstIndex { $0.storageCapacity >= buffer.storageCapacity } ?? free.endIndex
    free.insert(buffer, at: index)
  }
}

/// A layer's input-gradient buffer: from the model's pool when one is attached (handed back by
/// `release()`), otherwise owned by the layer and reused across steps.
public struct GradientBuffer {
  var pool: GradientPool?
  private var tensor: Tensor?

  public init() {}

  /// The buffer for this backward pass, shaped `shape`.
  public mutating func take(_ shape: [Int]) -> Tensor {
    if let pool {
      if let tensor { pool.release(tensor) }
      let buffer = pool.acquire(shape)
      tensor = buffer
      return buffer
    }
    let buffer = Tensor.reusing(tensor, shape: shape)
    tensor = buffer
    return buffer
  }

  /// Gives the buffer back to the pool (no-op without a pool: the layer keeps it).
  public mutating func release() {
    guard let pool, let buffer = tensor else { return }
    pool.release(buffer)
    tensor = nil
  }

  /// Routes future buffers through `pool`.
  public mutating func attach(_ pool: GradientPool) {
    self.pool = pool
    tensor = nil
  }
}
