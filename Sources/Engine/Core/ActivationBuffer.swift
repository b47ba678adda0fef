/// A layer's output buffer. With the model's pool attached it comes from the pool in `forward`
/// and goes back to it at the end of the layer's own `backward`, so the activations of the layers
/// already back-propagated serve as the gradient buffers of the layers still to go, as PyTorch's
/// autograd frees saved tensors when their node has run: a step's peak is then the activations
/// plus the gradients in flight, not plus one gradient buffer per size. Without a pool the layer
/// owns the buffer and reuses it across steps.
///
/// Why the end of the owner's backward is safe: a layer's output is read in backward only by the
/// layer itself and by layers after it in the forward order (its consumers, in-place activations,
/// MFD taps), and all of those run their backward before it. The one exception is the network's
/// final output (logits), which the trainer reads after the backward pass; the layers that produce
/// it (linear heads, pooling to features) keep their own buffers.
///
/// Consequence: a backward pass consumes its forward pass. A second `backward` without a new
/// `forward` stops at `checkAvailable` instead of reading recycled memory.
public struct ActivationBuffer {
  private var pool: GradientPool?
  private var tensor: Tensor?
  /// Given back by `releaseConsumed()` during the forward pass: the coming backward is legitimate.
  private var releasedAfterUse = false

  public init() {}

  /// The output buffer for this forward pass, shaped `shape` (contents undefined: the kernel
  /// overwrites all of it).
  public mutating func take(_ shape: [Int]) -> Tensor {
    releasedAfterUse = false
    if let tensor, tensor.shape == shape { return tensor }
    guard let pool else {
      let buffer = Tensor(zeros: shape)
      tensor = buffer
      return buffer
    }
    if let tensor { pool.release(tensor) }
    let buffer = pool.acquire(shape)
    tensor = buffer
    return buffer
  }

  /// Stops with a clear message when the buffer went back to the pool, i.e. `backward` runs a
  /// second time for one `forward`.
  public func checkAvailable(_ layer: @autoclosure () -> String) {
    precondition(pool == nil || tensor != nil || releasedAfterUse,
                 "\(layer()): backward called again without a forward pass (its output buffer was recycled)")
  }

  /// Called at the end of the owning layer's backward: nothing reads the output any more.
  public mutating func releaseAfterBackward() {
    releasedAfterUse = false
    guard let pool, let buffer = tensor else { return }
    pool.release(buffer)
    tensor = nil
  }

  /// Called by a layer whose backward does not read its output once the output's only consumer
  /// has read it (`Layer.releaseConsumedOutput`): the buffer goes back to the pool during the
  /// forward pass. Without a pool the layer keeps it.
  public mutating func releaseConsumed() {
    guard let pool, let buffer = tensor else { return }
    pool.release(buffer)
    tensor = nil
    releasedAfterUse = true
  }

  /// Takes buffers from `pool` from now on.
  public mutating func attach(_ pool: GradientPool) {
    self.pool = pool
    tensor = nil
  }
}
