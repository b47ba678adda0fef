// Joins of two tensors: the residual sum and DenseNet's channel concatenation, with the gradient
// plumbing they need (accumulation and the concatenation's split).

/// out = a + b, elementwise (the residual join).
///
/// - a, b, output: [count]; output may alias a or b.
public func elementwiseAdd(
  _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
  into output: UnsafeMutablePointer<Float>, count: Int
) {
  parallelChunks(count, minimumChunk: elementwiseMinimumChunk) { range in
    for i in range { output[i] = a[i] + b[i] }
  }
}

/// destination += source, elementwise (summing the gradients of a tensor used twice).
///
/// - source, destination: [count]
public func accumulate(
  _ source: UnsafePointer<Float>, into destination: UnsafeMutablePointer<Float>, count: Int
) {
  parallelChunks(count, minimumChunk: elementwiseMinimumChunk) { range in
    for i in range { destination[i] += source[i] }
  }
}

/// Concatenates two NCHW tensors along the channel axis: output = cat([first, second], dim 1).
///
/// - first: [n, firstChannels, spatial]; second: [n, secondChannels, spatial]
/// - output: [n, firstChannels + secondChannels, spatial]
public func concatenateChannels(
  first: UnsafePointer<Float>, firstChannels: Int,
  second: UnsafePointer<Float>, secondChannels: Int,
  output: UnsafeMutablePointer<Float>, n: Int, spatial: Int
) {
  // Per image, each part is one contiguous block of its channels.
  let firstBlock = firstChannels * spatial, secondBlock = secondChannels * spatial
  parallelFor(n) { image in
    let destination = output + image * (firstBlock + secondBlock)
    destination.update(from: first + image * firstBlock, count: firstBlock)
    (destination + firstBlock).update(from: second + image * secondBlock, count: secondBlock)
  }
}

/// The concatenation's backward: splits a gradient along the channel axis into its two parts.
///
/// - input: [n, firstChannels + secondChannels, spatial]
/// - first: [n, firstChannels, spatial]; second: [n, secondChannels, spatial], overwritten
public func splitChannels(
  _ input: UnsafePointer<Float>,
  first: UnsafeMutablePointer<Float>, firstChannels: Int,
  second: UnsafeMutablePointer<Float>, secondChannels: Int,
  n: Int, spatial: Int
) {
  let firstBlock = firstChannels * spatial, secondBlock = secondChannels * spatial
  parallelFor(n) { image in
    let source = input + image * (firstBlock + secondBlock)
    (first + image * firstBlock).update(from: source, count: firstBlock)
    (second + image * secondBlock).update(from: source + firstBlock, count: secondBlock)
  }
}
