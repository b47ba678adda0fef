// Joins of two tensors: the residual sum and DenseNet's channel concatenation, with the gradient
// plumbing they need (accumulation and the concatenation's split).

/// out = a + b, elementwise (the residual join), or activation(a + b) in the same pass (a
/// residual block's final ReLU), with the bits of `reluForward`/`relu6Forward` applied to the sum.
///
/// - a, b, output: [count]; output may alias a or b.
public func elementwiseAdd(
  _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
  into output: UnsafeMutablePointer<Float>, count: Int, activation: ClampedActivation? = nil
) {
  func run<Clamp: OutputClamp>(_: Clamp.Type) {
    parallelChunks(count, minimumChunk: elementwiseMinimumChunk) { range in
      for i in range { output[i] = Clamp.apply(a[i] + b[i]) }
    }
  }
  switch activation {
  case nil: run(NoClamp.self)
  case .relu: run(ReLUClamp.self)
  case .relu6: run(ReLU6Clamp.self)
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

/// One part of the concatenation's backward: output = input[:, channels] (a copy), or
/// output += input[:, channels] when `accumulating` (the part that joins another gradient).
///
/// - input: [n, totalChannels, spatial]; channels ⊂ 0..<totalChannels
/// - output: [n, channels.count, spatial]
public func sliceChannels(
  _ input: UnsafePointer<Float>, totalChannels: Int, channels: Range<Int>,
  into output: UnsafeMutablePointer<Float>, accumulating: Bool = false, n: Int, spatial: Int
) {
  precondition(channels.lowerBound >= 0 && channels.upperBound <= totalChannels,
               "sliceChannels: channels \(channels) of \(totalChannels)")
  let block = channels.count * spatial
  parallelFor(n) { image in
    let source = input + (image * totalChannels + channels.lowerBound) * spatial
    let target = output + image * block
    if accumulating {
      for i in 0..<block { target[i] += source[i] }
    } else {
      target.update(from: source, count: block)
    }
  }
}
