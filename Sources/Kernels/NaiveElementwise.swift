// Reference joins for tests: explicit (image, channel, position) indexing.

/// Reference for `elementwiseAdd`. - a, b, output: [count]
public func naiveElementwiseAdd(
  _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
  into output: UnsafeMutablePointer<Float>, count: Int
) {
  for i in 0..<count { output[i] = a[i] + b[i] }
}

/// Reference for `concatenateChannels`.
///
/// - first: [n, firstChannels, spatial]; second: [n, secondChannels, spatial];
///   output: [n, firstChannels + secondChannels, spatial]
public func naiveConcatenateChannels(
  first: UnsafePointer<Float>, firstChannels: Int,
  second: UnsafePointer<Float>, secondChannels: Int,
  output: UnsafeMutablePointer<Float>, n: Int, spatial: Int
) {
  let channels = firstChannels + secondChannels
  for image in 0..<n {
    for channel in 0..<channels {
      for i in 0..<spatial {
        output[(image * channels + channel) * spatial + i] = channel < firstChannels
          ? first[(image * firstChannels + channel) * spatial + i]
          : second[(image * secondChannels + channel - firstChannels) * spatial + i]
      }
    }
  }
}

/// Reference for `sliceChannels`.
///
/// - input: [n, totalChannels, spatial]; output: [n, channels.count, spatial]
public func naiveSliceChannels(
  _ input: UnsafePointer<Float>, totalChannels: Int, channels: Range<Int>,
  into output: UnsafeMutablePointer<Float>, accumulating: Bool = false, n: Int, spatial: Int
) {
  for image in 0..<n {
    for (k, channel) in channels.enumerated() {
      for i in 0..<spatial {
        let value = input[(image * totalChannels + channel) * spatial + i]
        let target = (image * channels.count + k) * spatial + i
        output[target] = accumulating ? output[target] + value : value
      }
    }
  }
}
