import Kernels
#if canImport(Glibc)
import Glibc
#endif

/// A contiguous row-major Float32 array with a shape; NCHW for images.
///
/// Reference semantics on purpose: layers hand each other their cached output buffers and reuse
/// them across steps, so a training step allocates nothing once the shapes are known.
public final class Tensor: @unchecked Sendable {
  /// Dimensions, outermost first (e.g. [n, c, h, w]).
  public let shape: [Int]
  /// Number of elements (product of `shape`).
  public let count: Int
  private let storage: TensorStorage

  /// A zero-filled tensor.
  public init(zeros shape: [Int]) {
    precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in shape \(shape)")
    self.shape = shape
    self.count = shape.reduce(1, *)
    self.storage = TensorStorage(capacity: count)
  }

  /// A tensor holding `values` (count must match the shape).
  public convenience init(shape: [Int], values: [Float]) {
    self.init(zeros: shape)
    precondition(values.count == count, "\(values.count) values for shape \(shape)")
    values.withUnsafeBufferPointer { source in
      pointer.update(from: source.baseAddress!, count: count)
    }
  }

  private init(shape: [Int], sharing storage: TensorStorage) {
    self.shape = shape
    self.count = shape.reduce(1, *)
    self.storage = storage
  }

  /// First element; `count` contiguous Floats follow.
  @inlinable public var pointer: UnsafeMutablePointer<Float> { storagePointer }
  @usableFromInline var storagePointer: UnsafeMutablePointer<Float> { storage.base }

  /// The same elements viewed under another shape with the same element count.
  public func reshaped(_ newShape: [Int]) -> Tensor {
    precondition(newShape.reduce(1, *) == count, "cannot view \(shape) as \(newShape)")
    return Tensor(shape: newShape, sharing: storage)
  }

  /// Floats the underlying storage holds (≥ `count`; more when a larger buffer is reused).
  var storageCapacity: Int { storage.capacity }

  /// The first `newShape`-many elements of this tensor's storage, viewed under `newShape`;
  /// the storage may be larger than the view (a recycled buffer serving a smaller request).
  func prefixView(_ newShape: [Int]) -> Tensor {
    let newCount = newShape.reduce(1, *)
    precondition(newCount <= storage.capacity, "cannot view \(storage.capacity) floats as \(newShape)")
    return Tensor(shape: newShape, sharing: storage)
  }

  /// Whether both tensors view the same memory (a reshaped view, or the tensor itself).
  public func sharesStorage(with other: Tensor) -> Bool { storage === other.storage }

  /// Elements copied into an array (tests, checkpoints, reports).
  public var values: [Float] { Array(UnsafeBufferPointer(start: pointer, count: count)) }

  /// A deep copy.
  public func copy() -> Tensor {
    let result = Tensor(zeros: shape)
    result.pointer.update(from: pointer, count: count)
    return result
  }

  /// Overwrites this tensor's elements with `source`'s (same element count).
  public func assign(_ source: Tensor) {
    precondition(source.count == count, "cannot assign \(source.shape) to \(shape)")
    withExtendedLifetime(source) { pointer.update(from: source.pointer, count: count) }
  }

  public func fill(_ value: Float) { pointer.update(repeating: value, count: count) }

  public subscript(index: Int) -> Float {
    get { pointer[index] }
    set { pointer[index] = newValue }
  }

  /// Rank-4 accessors for NCHW tensors.
  public var n: Int { shape[0] }
  public var c: Int { shape[1] }
  public var h: Int { shape[2] }
  public var w: Int { shape[3] }

  /// Returns `existing` when it already has `shape`, else a new zero tensor: the buffer-reuse rule
  /// every layer follows for its outputs and input gradients.
  public static func reusing(_ existing: Tensor?, shape: [Int]) -> Tensor {
    if let existing, existing.shape == shape { return existing }
    return Tensor(zeros: shape)
  }
}

/// 64-byte aligned, zero-initialised Float storage owned by one or more `Tensor` views.
///
/// Large buffers come from `calloc`, whose pages the kernel maps lazily and already zeroed: a
/// full-width ResNet50 with its gradients is ~190 MB that a shape or naming query never touches,
/// and zero-filling it by hand would cost a page fault per 4 KB up front.
final class TensorStorage: @unchecked Sendable {
  let base: UnsafeMutablePointer<Float>
  let capacity: Int
  private let fromCalloc: Bool

  init(capacity: Int) {
    self.capacity = capacity
    let count = max(1, capacity)
    MemoryLedger.record(count * MemoryLayout<Float>.stride, .tensors)
    if let raw = calloc(count, MemoryLayout<Float>.stride) {
      if Int(bitPattern: raw) % 64 == 0 {
        base = raw.bindMemory(to: Float.self, capacity: count)
        fromCalloc = true
        return
      }
      free(raw)
    }
    let raw = UnsafeMutableRawPointer.allocate(byteCount: count * MemoryLayout<Float>.stride, alignment: 64)
    base = raw.bindMemory(to: Float.self, capacity: count)
    base.initialize(repeating: 0, count: count)
    fromCalloc = false
  }

  deinit {
    MemoryLedger.record(-max(1, capacity) * MemoryLayout<Float>.stride, .tensors)
    if fromCalloc { free(base) } else { base.deallocate() }
  }
}

extension Tensor: CustomStringConvertible {
  public var description: String { "Tensor\(shape)" }
}
