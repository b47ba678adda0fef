// Reference activations for tests: one branch per element, written from the definitions.

/// Reference ReLU forward. - input, output: [count]
public func naiveReLUForward(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, count: Int) {
  for i in 0..<count { output[i] = input[i].isNaN ? input[i] : max(input[i], 0) }
}

/// Reference ReLU backward (gradient where the output is positive). - all: [count]
public func naiveReLUBackward(
  output: UnsafePointer<Float>, gradOutput: UnsafePointer<Float>,
  gradInput: UnsafeMutablePointer<Float>, count: Int
) {
  for i in 0..<count {
    if output[i] > 0 { gradInput[i] = gradOutput[i] } else { gradInput[i] = 0 }
  }
}

/// Reference ReLU6 forward. - input, output: [count]
public func naiveReLU6Forward(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, count: Int) {
  for i in 0..<count { output[i] = input[i].isNaN ? input[i] : min(max(input[i], 0), 6) }
}

/// Reference ReLU6 backward (gradient strictly inside 0 < x < 6, or for NaN as PyTorch).
/// - all: [count]
public func naiveReLU6Backward(
  input: UnsafePointer<Float>, gradOutput: UnsafePointer<Float>,
  gradInput: UnsafeMutablePointer<Float>, count: Int
) {
  for i in 0..<count {
    let inside = input[i] > 0 && input[i] < 6
    gradInput[i] = inside || input[i].isNaN ? gradOutput[i] : 0
  }
}
