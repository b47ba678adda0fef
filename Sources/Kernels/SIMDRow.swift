/// 8-lane row primitives shared by the convolution layout kernels (im2col, the direct kernel's
/// phase planes, the shifted-rows planes).
///
/// Rows here are short (4–32 floats for CIFAR maps), where a call to memmove per row costs more
/// than the copy. Release builds optimise the whole module, so these inline into every caller;
/// debug builds (which compile each file on its own) call them, which only slows the tests.

@inline(__always)
func loadVector(_ pointer: UnsafePointer<Float>) -> SIMD8<Float> { loadSIMD(pointer) }

@inline(__always)
func storeVector(_ value: SIMD8<Float>, _ pointer: UnsafeMutablePointer<Float>) { storeSIMD(value, pointer) }

/// A vector of any width and scalar type from `pointer` (no alignment needed).
@inline(__always)
func loadSIMD<V: SIMD & BitwiseCopyable>(_ pointer: UnsafePointer<V.Scalar>) -> V {
  UnsafeRawPointer(pointer).loadUnaligned(as: V.self)
}

/// Stores `value` at `pointer` (no alignment needed).
@inline(__always)
func storeSIMD<V: SIMD & BitwiseCopyable>(_ value: V, _ pointer: UnsafeMutablePointer<V.Scalar>) {
  UnsafeMutableRawPointer(pointer).storeBytes(of: value, as: V.self)
}

/// destination[0..<count] = source[0..<count].
@inline(__always)
func copyRow(_ source: UnsafePointer<Float>, to destination: UnsafeMutablePointer<Float>, count: Int) {
  var i = 0
  while i + 8 <= count {
    storeVector(loadVector(source + i), destination + i)
    i += 8
  }
  while i < count {
    destination[i] = source[i]
    i += 1
  }
}

/// destination[0..<count] += source[0..<count].
@inline(__always)
func addRow(_ source: UnsafePointer<Float>, into destination: UnsafeMutablePointer<Float>, count: Int) {
  var i = 0
  while i + 8 <= count {
    storeVector(loadVector(destination + i) + loadVector(source + i), destination + i)
    i += 8
  }
  while i < count {
    destination[i] += source[i]
    i += 1
  }
}
