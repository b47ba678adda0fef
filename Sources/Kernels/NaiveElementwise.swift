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

/// Reference for `splitChannels`.
///
/// - input: [n, firstChannels + secondChannels, spatial]; first: [n, firstChannels, spatial];
///   second: [n, secondChannels, spatial]
public func naiveSplitChannels(
  _ input: UnsafePointer<Float>,
  first: UnsafeMutablePointer<Float>, firstChannels: Int,
  second: UnsafeMutablePointer<Float>, secondChannels: Int,
  n: Int, spatial: Int
) {
  let channels = firstChannels + secondChannels
  for image in 0..<n {
    for channel in 0..<channels {
      for i in 0..<spatial {
        let value = input[(image * channels + channel) * spatial + i]
        if channel < firstChannels {
          first[(image * firstChannels + channel) * spatial + i] = value
        } else {
          second[(image * secondChannels + channel - firstChannels) * spatial + i] = value
        }
      }
    }
  }
}
