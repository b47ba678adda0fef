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
  /// (README "Performance"): k×k convolutions (k > 1), dense or grouped, with at least 256 M
  /// multiply-accumulates per layer: ResNet50's and DenseNet's 3×3 layers and ResNeXt50's
  /// grouped 3×3 layers at batch 128 (the latter took its step from 15.9 to 13.1 s). Smaller
  /// layers lose to the reorders and oneDNN's per-call set-up (MobileNetV2 at 32×32: +15 % per
  /// step with oneDNN); 1×1 layers gained a little inside ResNet50 but cost ResNeXt50 12 % per
  /// step, and depthwise convolutions were faster on our kernels.
  static func oneDNNWins(_ geometry: Conv2dGeometry) -> Bool {
    let depthwise = geometry.groups > 1 && geometry.groups == geometry.inChannels
    return !depthwise && geometry.kernelPlane > 1 && geometry.macs >= 256 << 20
  }
}
