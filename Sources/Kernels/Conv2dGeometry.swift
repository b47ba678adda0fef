/// Everything that fixes the shape of one 2-D convolution (NCHW Float32, dilation 1).
///
/// - input: [batch, inChannels, height, width]
/// - weight: [outChannels, inChannels / groups, kernelHeight, kernelWidth]
/// - bias: [outChannels] (optional)
/// - output: [batch, outChannels, outHeight, outWidth]
///
/// Output channel `o` belongs to group `o / (outChannels / groups)` and sees only that group's
/// `inChannels / groups` input channels, as in PyTorch.
public struct Conv2dGeometry: Sendable, Equatable, Hashable {
  public let batch: Int
  public let inChannels: Int
  public let height: Int
  public let width: Int
  public let outChannels: Int
  public let kernelHeight: Int
  public let kernelWidth: Int
  public let strideHeight: Int
  public let strideWidth: Int
  public let paddingHeight: Int
  public let paddingWidth: Int
  public let groups: Int

  // Derived sizes are stored, not computed: the kernels read them in their inner loops, where a
  // division per access would cost more than the arithmetic it indexes.
  public let outHeight: Int
  public let outWidth: Int
  public let inChannelsPerGroup: Int
  public let outChannelsPerGroup: Int

  /// A validated geometry; throws when no convolution of this shape exists.
  public init(
    batch: Int, inChannels: Int, height: Int, width: Int, outChannels: Int,
    kernel: (height: Int, width: Int), stride: (height: Int, width: Int) = (1, 1),
    padding: (height: Int, width: Int) = (0, 0), groups: Int = 1
  ) throws(Conv2dGeometryError) {
    self.batch = batch
    self.inChannels = inChannels
    self.height = height
    self.width = width
    self.outChannels = outChannels
    self.kernelHeight = kernel.height
    self.kernelWidth = kernel.width
    self.strideHeight = stride.height
    self.strideWidth = stride.width
    self.paddingHeight = padding.height
    self.paddingWidth = padding.width
    self.groups = groups
    // Guarded so that an invalid request still gets as far as `validate` and its message.
    let paddedHeight = height + 2 * padding.height - kernel.height
    let paddedWidth = width + 2 * padding.width - kernel.width
    outHeight = stride.height > 0 ? paddedHeight / stride.height + 1 : 0
    outWidth = stride.width > 0 ? paddedWidth / stride.width + 1 : 0
    inChannelsPerGroup = groups > 0 ? inChannels / groups : 0
    outChannelsPerGroup = groups > 0 ? outChannels / groups : 0
    try validate()
  }

  private func validate() throws(Conv2dGeometryError) {
    let positive: [(String, Int)] = [
      ("batch", batch), ("input channels", inChannels), ("height", height), ("width", width),
      ("output channels", outChannels), ("kernel height", kernelHeight),
      ("kernel width", kernelWidth), ("stride height", strideHeight),
      ("stride width", strideWidth), ("groups", groups),
    ]
    for (name, value) in positive where value < 1 {
      throw Conv2dGeometryError(.nonPositive(name: name, value: value), self)
    }
    if paddingHeight < 0 || paddingWidth < 0 {
      throw Conv2dGeometryError(.negativePadding, self)
    }
    if inChannels % groups != 0 || outChannels % groups != 0 {
      throw Conv2dGeometryError(.channelsNotDivisibleByGroups, self)
    }
    if kernelHeight > height + 2 * paddingHeight || kernelWidth > width + 2 * paddingWidth {
      throw Conv2dGeometryError(.kernelLargerThanPaddedInput, self)
    }
  }

  /// The same convolution applied to a batch of another size.
  public func withBatch(_ newBatch: Int) throws(Conv2dGeometryError) -> Conv2dGeometry {
    try Conv2dGeometry(
      batch: newBatch, inChannels: inChannels, height: height, width: width,
      outChannels: outChannels, kernel: (kernelHeight, kernelWidth),
      stride: (strideHeight, strideWidth), padding: (paddingHeight, paddingWidth), groups: groups)
  }

  // MARK: Derived sizes

  /// Pixels in one input channel plane (height · width).
  public var inputPlane: Int { height * width }
  /// Pixels in one output channel plane (outHeight · outWidth).
  public var outputPlane: Int { outHeight * outWidth }
  /// Taps in one kernel plane (kernelHeight · kernelWidth).
  public var kernelPlane: Int { kernelHeight * kernelWidth }

  /// Rows of the im2col matrix for one group: (inChannels / groups) · kernelHeight · kernelWidth.
  /// This is also the GEMM's reduction length and the weight's per-output-channel count.
  public var columnRows: Int { inChannelsPerGroup * kernelPlane }

  public var inputCount: Int { batch * inChannels * inputPlane }
  public var outputCount: Int { batch * outChannels * outputPlane }
  public var weightCount: Int { outChannels * columnRows }

  public var inputShape: [Int] { [batch, inChannels, height, width] }
  public var outputShape: [Int] { [batch, outChannels, outHeight, outWidth] }
  public var weightShape: [Int] { [outChannels, inChannelsPerGroup, kernelHeight, kernelWidth] }

  /// Forward multiply-accumulates for the whole batch.
  public var macs: Int { batch * outChannels * outputPlane * columnRows }

  /// One kernel per input channel (`groups == inChannels`, a multiple of it out), as in
  /// MobileNet; served by the direct depthwise kernel.
  public var isDepthwise: Bool { groups == inChannels && groups > 1 }

  /// A 1×1 kernel with stride 1 and no padding: the input planes are already the im2col matrix.
  public var isPointwise: Bool {
    kernelHeight == 1 && kernelWidth == 1 && strideHeight == 1 && strideWidth == 1
      && paddingHeight == 0 && paddingWidth == 0
  }

  // MARK: Window arithmetic shared by every kernel

  /// Output rows whose window row `kernelRow` lands inside the input (not in the padding).
  @inlinable
  public func validOutputRows(kernelRow: Int) -> Range<Int> {
    Conv2dGeometry.validOutputRange(
      kernelOffset: kernelRow, stride: strideHeight, padding: paddingHeight,
      inputSize: height, outputSize: outHeight)
  }

  /// Output columns whose window column `kernelColumn` lands inside the input.
  @inlinable
  public func validOutputColumns(kernelColumn: Int) -> Range<Int> {
    Conv2dGeometry.validOutputRange(
      kernelOffset: kernelColumn, stride: strideWidth, padding: paddingWidth,
      inputSize: width, outputSize: outWidth)
  }

  /// The outputs `o` with `0 ≤ o·stride − padding + kernelOffset < inputSize`, as a range, so the
  /// kernels can loop over the interior without a bounds test per element.
  @inlinable
  public static func validOutputRange(
    kernelOffset: Int, stride: Int, padding: Int, inputSize: Int, outputSize: Int
  ) -> Range<Int> {
    // First valid: o·stride ≥ padding − offset; last valid: o·stride ≤ inputSize − 1 + padding − offset.
    let lowNumerator = padding - kernelOffset
    let lower = lowNumerator <= 0 ? 0 : (lowNumerator + stride - 1) / stride
    let highNumerator = inputSize - 1 + padding - kernelOffset
    let upper = highNumerator < 0 ? 0 : highNumerator / stride + 1
    let clampedUpper = min(upper, outputSize)
    let clampedLower = min(lower, clampedUpper)
    return clampedLower..<clampedUpper
  }
}

extension Conv2dGeometry: CustomStringConvertible {
  public var description: String {
    var text = "conv \(inputShape) → \(outputShape), kernel \(kernelHeight)×\(kernelWidth)"
    text += ", stride \(strideHeight)×\(strideWidth), padding \(paddingHeight)×\(paddingWidth)"
    if groups > 1 { text += ", groups \(groups)" }
    return text
  }
}

/// Why a convolution geometry is impossible; the message names the requested shapes.
public struct Conv2dGeometryError: Error, Equatable, CustomStringConvertible {
  public enum Reason: Sendable, Equatable {
    /// A size that must be at least 1 (batch, channels, spatial size, kernel, stride, groups).
    case nonPositive(name: String, value: Int)
    case negativePadding
    case channelsNotDivisibleByGroups
    case kernelLargerThanPaddedInput
  }

  public let reason: Reason
  public let description: String

  /// Builds the message from the rejected request, which must not be treated as a valid
  /// geometry (its derived sizes may divide by zero).
  fileprivate init(_ reason: Reason, _ g: Conv2dGeometry) {
    self.reason = reason
    let input = "[\(g.batch), \(g.inChannels), \(g.height), \(g.width)]"
    switch reason {
    case .nonPositive(let name, let value):
      description = "convolution \(name) must be at least 1, got \(value) (input \(input))"
    case .negativePadding:
      description = "convolution padding must be ≥ 0, got \(g.paddingHeight)×\(g.paddingWidth)"
        + " (input \(input))"
    case .channelsNotDivisibleByGroups:
      description = "convolution with \(g.groups) groups needs input and output channels"
        + " divisible by \(g.groups), got \(g.inChannels) in and \(g.outChannels) out"
        + " (input \(input))"
    case .kernelLargerThanPaddedInput:
      description = "convolution kernel \(g.kernelHeight)×\(g.kernelWidth) is larger than the"
        + " input \(input) padded by \(g.paddingHeight)×\(g.paddingWidth)"
        + " (\(g.height + 2 * g.paddingHeight)×\(g.width + 2 * g.paddingWidth))"
    }
  }
}
