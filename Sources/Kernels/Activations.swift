// Elementwise activations with PyTorch's forward and backward semantics. NaN propagates forward as
// in PyTorch (`x < 0 ? 0 : x` keeps NaN), and the backward masks are PyTorch's exactly.

/// Elements per worker below which splitting the loop costs more than it saves.
@usableFromInline let elementwiseMinimumChunk = 1 << 14

/// ReLU forward: output = max(x, 0).
///
/// - input, output: [count] (any shape, contiguous); output may alias input.
public func reluForward(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, count: Int) {
  parallelChunks(count, minimumChunk: elementwiseMinimumChunk) { range in
    for i in range {
      let x = input[i]
      output[i] = x < 0 ? 0 : x
    }
  }
}

/// ReLU backward from the forward *output*, as PyTorch's `threshold_backward(grad, result, 0)`:
/// the gradient passes where output > 0.
///
/// - output, gradOutput, gradInput: [count]; gradInput may alias gradOutput.
public func reluBackward(
  output: UnsafePointer<Float>, gradOutput: UnsafePointer<Float>,
  gradInput: UnsafeMutablePointer<Float>, count: Int
) {
  parallelChunks(count, minimumChunk: elementwiseMinimumChunk) { range in
    // Both loads unconditional: a select instead of a branch, so the loop vectorises.
    for i in range {
      let dy = gradOutput[i]
      gradInput[i] = output[i] > 0 ? dy : 0
    }
  }
}

/// ReLU6 forward: output = min(max(x, 0), 6) (PyTorch's `hardtanh(x, 0, 6)`).
///
/// - input, output: [count]; output may alias input.
public func relu6Forward(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, count: Int) {
  parallelChunks(count, minimumChunk: elementwiseMinimumChunk) { range in
    for i in range {
      let x = input[i]
      output[i] = x < 0 ? 0 : (x > 6 ? 6 : x)
    }
  }
}

/// ReLU6 backward from the forward *input*, as PyTorch's `hardtanh_backward`: the gradient passes
/// strictly inside (0, 6) and is zero at and beyond both boundaries.
///
/// - input, gradOutput, gradInput: [count]; gradInput may alias gradOutput.
public func relu6Backward(
  input: UnsafePointer<Float>, gradOutput: UnsafePointer<Float>,
  gradInput: UnsafeMutablePointer<Float>, count: Int
) {
  parallelChunks(count, minimumChunk: elementwiseMinimumChunk) { range in
    for i in range {
      let x = input[i], dy = gradOutput[i]
      gradInput[i] = (x <= 0 || x >= 6) ? 0 : dy
    }
  }
}

/// A ReLU or ReLU6 that a batch norm applies to its own output (BatchNorm2d's fused
/// activation). The kernels take it as a `OutputClamp` type, specialised once per clamp.
public enum ClampedActivation: Sendable, Equatable {
  case relu, relu6
}

/// The activation a kernel applies to values it writes, as a type: generic kernels are
/// specialised for each, so the per-element code carries no test of which one it is. Values and
/// masks are those of `reluForward`/`reluBackward` and `relu6Forward`/`relu6Backward`, one element
/// at a time, so a fused kernel's bits equal the separate layers'.
protocol OutputClamp {
  /// The activation of one pre-activation value y.
  static func apply(_ y: Float) -> Float
  /// `apply` on four values.
  static func apply(_ y: SIMD4<Float>) -> SIMD4<Float>
  /// dy where the gradient passes at the activated value `out`, else 0.
  static func gate(_ dy: Float, at out: Float) -> Float
  /// `gate` on four values.
  static func gate(_ dy: SIMD4<Float>, at out: SIMD4<Float>) -> SIMD4<Float>
}

/// No activation: the identity, which passes every gradient.
enum NoClamp: OutputClamp {
  @inline(__always) static func apply(_ y: Float) -> Float { y }
  @inline(__always) static func apply(_ y: SIMD4<Float>) -> SIMD4<Float> { y }
  @inline(__always) static func gate(_ dy: Float, at out: Float) -> Float { dy }
  @inline(__always) static func gate(_ dy: SIMD4<Float>, at out: SIMD4<Float>) -> SIMD4<Float> { dy }
}

/// ReLU: the gradient passes where out > 0.
enum ReLUClamp: OutputClamp {
  @inline(__always) static func apply(_ y: Float) -> Float { y < 0 ? 0 : y }
  @inline(__always) static func apply(_ y: SIMD4<Float>) -> SIMD4<Float> { y.replacing(with: 0, where: y .< 0) }
  @inline(__always) static func gate(_ dy: Float, at out: Float) -> Float { out > 0 ? dy : 0 }
  @inline(__always) static func gate(_ dy: SIMD4<Float>, at out: SIMD4<Float>) -> SIMD4<Float> {
    dy.replacing(with: 0, where: .!(out .> 0))
  }
}

/// ReLU6: the gradient passes unless out is at or beyond 0 or 6 (NaN passes, as in
/// `relu6Backward`).
enum ReLU6Clamp: OutputClamp {
  @inline(__always) static func apply(_ y: Float) -> Float { y < 0 ? 0 : (y > 6 ? 6 : y) }
  @inline(__always) static func apply(_ y: SIMD4<Float>) -> SIMD4<Float> {
    y.replacing(with: 0, where: y .< 0).replacing(with: 6, where: y .> 6)
  }
  @inline(__always) static func gate(_ dy: Float, at out: Float) -> Float { (out <= 0 || out >= 6) ? 0 : dy }
  @inline(__always) static func gate(_ dy: SIMD4<Float>, at out: SIMD4<Float>) -> SIMD4<Float> {
    dy.replacing(with: 0, where: out .<= 0 .| out .>= 6)
  }
}
