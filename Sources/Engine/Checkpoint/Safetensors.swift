import Foundation

/// The element types of the safetensors format that this engine recognises.
///
/// F32 (parameters, buffers) and I64 (`num_batches_tracked`) convert to and from engine values;
/// the others are validated and carried as raw little-endian bytes, so a file holding them can be
/// read, inspected and written back unchanged.
public enum SafetensorsDType: String, CaseIterable, Sendable {
  case F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL

  /// Bytes per element.
  public var byteSize: Int {
    switch self {
    case .F64, .I64: 8
    case .F32, .I32: 4
    case .F16, .BF16, .I16: 2
    case .I8, .U8, .BOOL: 1
    }
  }

  /// Position in the reference implementation's `Dtype` enum, which is declared in increasing
  /// alignment order. Its writer lays tensors out by descending rank (then name) so that every
  /// tensor's data is aligned to its element size; ours does the same, to write identical bytes.
  var referenceRank: Int {
    switch self {
    case .BOOL: 0
    case .U8: 1
    case .I8: 2
    case .I16: 5
    case .F16: 7
    case .BF16: 8
    case .I32: 9
    case .F32: 11
    case .F64: 12
    case .I64: 13
    }
  }
}

/// One tensor of a safetensors file: element type, shape and raw row-major little-endian bytes.
public struct SafetensorsTensor: Equatable, Sendable {
  public let dtype: SafetensorsDType
  /// Dimensions, outermost first; `[]` for a scalar.
  public let shape: [Int]
  /// `elementCount · dtype.byteSize` bytes, little-endian.
  public let bytes: Data

  /// A tensor from raw bytes, whose count must match the dtype and shape.
  /// - bytes: [product(shape) · dtype.byteSize] little-endian
  public init(dtype: SafetensorsDType, shape: [Int], bytes: Data) {
    precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in shape \(shape)")
    let count = shape.reduce(1, *)
    precondition(bytes.count == count * dtype.byteSize,
                 "\(bytes.count) bytes for \(dtype.rawValue) shape \(shape)")
    self.dtype = dtype
    self.shape = shape
    self.bytes = bytes
  }

  /// An F32 copy of an engine tensor.
  /// - tensor: any shape; the copy has the same shape
  public init(_ tensor: Tensor) {
    var bytes = Data(count: tensor.count * 4)
    bytes.withUnsafeMutableBytes { raw in
      for i in 0..<tensor.count {
        raw.storeBytes(of: tensor[i].bitPattern.littleEndian, toByteOffset: 4 * i, as: UInt32.self)
      }
    }
    self.init(dtype: .F32, shape: tensor.shape, bytes: bytes)
  }

  /// An F32 tensor holding `values`.
  /// - values: [product(shape)]
  public init(shape: [Int], float32 values: [Float]) {
    self.init(Tensor(shape: shape, values: values))
  }

  /// An I64 tensor holding `values`; `shape: []` with one value is PyTorch's scalar counter.
  /// - values: [product(shape)]
  public init(shape: [Int], int64 values: [Int64]) {
    var bytes = Data(count: values.count * 8)
    bytes.withUnsafeMutableBytes { raw in
      for (i, value) in values.enumerated() {
        raw.storeBytes(of: value.littleEndian, toByteOffset: 8 * i, as: Int64.self)
      }
    }
    self.init(dtype: .I64, shape: shape, bytes: bytes)
  }

  /// Number of elements (product of `shape`; 1 for a scalar).
  public var elementCount: Int { shape.reduce(1, *) }

  /// The elements of an F32 tensor; nil for any other dtype.
  public var float32Values: [Float]? {
    guard dtype == .F32 else { return nil }
    let t = Tensor(zeros: [elementCount])
    copyFloat32(into: t.pointer)
    return t.values
  }

  /// The elements of an I64 tensor; nil for any other dtype.
  public var int64Values: [Int64]? {
    guard dtype == .I64 else { return nil }
    return bytes.withUnsafeBytes { raw in
      (0..<elementCount).map {
        Int64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * $0, as: Int64.self))
      }
    }
  }

  /// Decodes an F32 tensor's bytes into `destination` (`elementCount` Floats). Loads are unaligned
  /// because the bytes may be a slice of a whole file at any offset.
  func copyFloat32(into destination: UnsafeMutablePointer<Float>) {
    precondition(dtype == .F32, "copyFloat32 on a \(dtype.rawValue) tensor")
    bytes.withUnsafeBytes { raw in
      for i in 0..<elementCount {
        let bits = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))
        destination[i] = Float(bitPattern: bits)
      }
    }
  }
}

/// The contents of a safetensors file: named tensors and a string-to-string metadata map.
///
/// Reading (`init(contentsOf:)`) validates the whole header as the reference implementation does;
/// writing (`serialized()`, `write(to:)`) is deterministic and byte-compatible with it.
public struct SafetensorsFile: Equatable, Sendable {
  public var tensors: [String: SafetensorsTensor]
  /// The `__metadata__` object; empty when the file has none.
  public var metadata: [String: String]

  /// A file's contents in memory (write them with `write(to:)`).
  public init(tensors: [String: SafetensorsTensor] = [:], metadata: [String: String] = [:]) {
    self.tensors = tensors
    self.metadata = metadata
  }

  /// Reads and validates a file.
  /// - Throws: `SafetensorsError` naming the path and what is wrong with it.
  public init(contentsOf url: URL) throws(SafetensorsError) {
    let bytes: Data
    do {
      bytes = try Data(contentsOf: url)
    } catch {
      throw .unreadable(path: url.path, reason: (error as NSError).localizedDescription)
    }
    self = try SafetensorsFile.decode(bytes, path: url.path)
  }
}
