// Reference fully connected layer for tests: triple loops, Double accumulation.

/// Reference for `linearForward`.
///
/// - input: [rows, inFeatures]; weight: [outFeatures, inFeatures]; bias: [outFeatures] or nil;
///   output: [rows, outFeatures]
public func naiveLinearForward(
  input: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
  output: UnsafeMutablePointer<Float>, rows: Int, inFeatures: Int, outFeatures: Int
) {
  for row in 0..<rows {
    for o in 0..<outFeatures {
      var sum = bias.map { Double($0[o]) } ?? 0
      for i in 0..<inFeatures {
        sum += Double(input[row * inFeatures + i]) * Double(weight[o * inFeatures + i])
      }
      output[row * outFeatures + o] = Float(sum)
    }
  }
}

/// Reference for `linearBackward` (gradWeight and gradBias accumulate, gradInput is overwritten).
///
/// - input, gradInput: [rows, inFeatures]; weight, gradWeight: [outFeatures, inFeatures];
///   gradOutput: [rows, outFeatures]; gradBias: [outFeatures] or nil
public func naiveLinearBackward(
  input: UnsafePointer<Float>, weight: UnsafePointer<Float>, gradOutput: UnsafePointer<Float>,
  gradWeight: UnsafeMutablePointer<Float>, gradBias: UnsafeMutablePointer<Float>?,
  gradInput: UnsafeMutablePointer<Float>, rows: Int, inFeatures: Int, outFeatures: Int
) {
  for o in 0..<outFeatures {
    for i in 0..<inFeatures {
      var sum = 0.0
      for row in 0..<rows {
        sum += Double(gradOutput[row * outFeatures + o]) * Double(input[row * inFeatures + i])
      }
      gradWeight[o * inFeatures + i] += Float(sum)
    }
    if let gradBias {
      var sum = 0.0
      for row in 0..<rows { sum += Double(gradOutput[row * outFeatures + o]) }
      gradBias[o] += Float(sum)
    }
  }
  for row in 0..<rows {
    for i in 0..<inFeatures {
      var sum = 0.0
      for o in 0..<outFeatures {
        sum += Double(gradOutput[row * outFeatures + o]) * Double(weight[o * inFeatures + i])
      }
      gradInput[row * inFeatures + i] = Float(sum)
    }
  }
}
