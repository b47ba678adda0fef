// Fully connected layer, PyTorch's `nn.Linear`: y = x·Wᵀ + b with W stored [out, in]. All three
// products are single sgemm calls; only the bias terms are our own loops.

/// Linear forward: output = input · weightᵀ + bias.
///
/// - input: [rows, inFeatures]
/// - weight: [outFeatures, inFeatures]; bias: [outFeatures], or nil for no bias
/// - output: [rows, outFeatures]
public func linearForward(
  input: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
  output: UnsafeMutablePointer<Float>, rows: Int, inFeatures: Int, outFeatures: Int
) {
  // Seed every row with the bias and let sgemm add the product on top (beta = 1).
  if let bias {
    parallelFor(rows) { row in (output + row * outFeatures).update(from: bias, count: outFeatures) }
  }
  sgemm(.none, .transposed, m: rows, n: outFeatures, k: inFeatures,
        a: input, lda: inFeatures, b: weight, ldb: inFeatures,
        beta: bias == nil ? 0 : 1, c: output, ldc: outFeatures)
}

/// Linear backward: gradWeight += gradOutputᵀ · input, gradBias += Σ_rows gradOutput,
/// gradInput = gradOutput · weight.
///
/// - input: [rows, inFeatures]; weight: [outFeatures, inFeatures]
/// - gradOutput: [rows, outFeatures]
/// - gradWeight: [outFeatures, inFeatures], accumulated; gradBias: [outFeatures], accumulated,
///   or nil for no bias
/// - gradInput: [rows, inFeatures], overwritten; nil skips it (first layer of a network)
public func linearBackward(
  input: UnsafePointer<Float>, weight: UnsafePointer<Float>, gradOutput: UnsafePointer<Float>,
  gradWeight: UnsafeMutablePointer<Float>, gradBias: UnsafeMutablePointer<Float>?,
  gradInput: UnsafeMutablePointer<Float>?, rows: Int, inFeatures: Int, outFeatures: Int
) {
  sgemm(.transposed, .none, m: outFeatures, n: inFeatures, k: rows,
        a: gradOutput, lda: outFeatures, b: input, ldb: inFeatures,
        beta: 1, c: gradWeight, ldc: inFeatures)
  if let gradBias {
    // One worker per output feature, summing the rows in order: thread-count independent.
    parallelFor(outFeatures) { feature in
      var sum = 0.0
      for row in 0..<rows { sum += Double(gradOutput[row * outFeatures + feature]) }
      gradBias[feature] += Float(sum)
    }
  }
  if let gradInput {
    sgemm(.none, .none, m: rows, n: inFeatures, k: outFeatures,
          a: gradOutput, lda: outFeatures, b: weight, ldb: inFeatures,
          c: gradInput, ldc: inFeatures)
  }
}
