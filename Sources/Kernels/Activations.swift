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
