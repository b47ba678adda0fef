import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Which library computes convolutions: our OpenBLAS and direct kernels, oneDNN, or each
/// geometry on the one that measured faster here (`automatic`, the default).
///
/// Process-wide, like the thread count. The environment variable `MFD_CONVOLUTION`
/// (`openblas`, `onednn`, `auto`) sets it at start-up, so benchmarks and whole sweeps can be
/// compared on either library without rebuilding. The choice is a fixed rule, not timed at run
/// time: a timing-based pick could differ between two runs of one seed and break bit-identical
/// reruns.
public enum ConvolutionLibrary: String, Sendable, CaseIterable {
  case openBLAS = "openblas"
  case oneDNN = "onednn"
  /// oneDNN for large k×k convolutions, dense or grouped, our kernels for the rest (`oneDNNWins`).
  case automatic = "auto"

  private static let selected = Mutex<ConvolutionLibrary>(fromEnvironment())

  /// The library in use.
  public static var current: ConvolutionLibrary {
    get { selected.withLock { $0 } }
    set { selected.withLock { $0 = newValue } }
  }

  private static func fromEnvironment() -> ConvolutionLibrary {
    guard let raw = getenv("MFD_CONVOLUTION") else { return .automatic }
    let value = String(cString: raw).lowercased()
    guard let library = ConvolutionLibrary(rawValue: value) else {
      // A configuration mistake, not a bug: say what is accepted and stop before any work.
      let message = "error: MFD_CONVOLUTION=\(value) is not one of "
        + "\(allCases.map(\.rawValue).joined(separator: ", "))\n"
      message.withCString { _ = write(2, $0, strlen($0)) }
      exit(2)
    }
    return library
  }

  /// Whether `geometry` goes to oneDNN under this setting.
  public func servesWithOneDNN(_ geometry: Conv2dGeometry) -> Bool {
    switch self {
    case .openBLAS: return false
    case .oneDNN: return true
    case .automatic: return ConvolutionLibrary.oneDNNWins(geometry)
    }
  }

  /// Where oneDNN, reorders to and from NCHW included, beat our kernels on 2 AVX2 cores
  /// (README "Performance"), per layer inside training steps:
  /// - never for dense 3×3 stride-1 layers beyond the stem: our Winograd F(4×4, 3×3) does a
  ///   quarter of the multiplications and ran ResNet50's stage 3×3 layers 1.3–2.9× faster than
  ///   oneDNN's direct AVX2 kernels (oneDNN 2.6 has Winograd only for AVX-512).
  /// - other dense or grouped k×k convolutions (k > 1) of at least 256 M multiply-accumulates:
  ///   ResNet50's strided 3×3 layers and ResNeXt50's grouped 3×3 layers at batch 128 (the
  ///   latter took its step from 15.9 to 13.1 s). Smaller ones lose to the reorders and
  ///   oneDNN's per-call set-up; 1×1 layers gained a little inside ResNet50 but cost ResNeXt50
  ///   12 % per step.
  /// - stems, k×k layers on the image's own few channels: a GEMM depth of 3·k² is too thin for
  ///   OpenBLAS (ResNet50's 3×3 stem at batch 128: 65 → 34 ms forward + backward).
  /// - depthwise layers from 4×4 inputs down to 8×8 outputs: oneDNN's kernels vectorise across
  ///   channels, ours across a plane, which at 4×4 is mostly set-up (MobileNetV2 at CIFAR size:
  ///   141 → 27 ms per step for its three 960-channel 4×4 layers). Larger planes vectorise well
  ///   on ours, and on 2×2 and 1×1 inputs oneDNN's kernels took 2–3× longer than ours.
  static func oneDNNWins(_ geometry: Conv2dGeometry) -> Bool {
    guard geometry.kernelPlane > 1 else { return false }
    if geometry.supportsWinograd
      && geometry.inChannels >= Conv2dAlgorithm.winogradMinimumInputChannels { return false }
    if geometry.isDepthwise {
      return geometry.inputPlane >= oneDNNDepthwiseSmallestInput
        && geometry.outputPlane <= oneDNNDepthwiseLargestOutput
    }
    return geometry.macs >= 256 << 20 || geometry.inChannels <= oneDNNStemLargestInput
  }

  static let oneDNNDepthwiseSmallestInput = 16
  static let oneDNNDepthwiseLargestOutput = 64
  static let oneDNNStemLargestInput = 4
}
