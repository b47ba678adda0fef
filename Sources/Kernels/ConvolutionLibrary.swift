import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Which library computes convolutions: our OpenBLAS and direct kernels (the default) or oneDNN.
///
/// Process-wide, like the thread count. The environment variable `MFD_CONVOLUTION`
/// (`openblas`, `onednn`) sets it at start-up, so benchmarks and whole sweeps can be compared
/// on either library without rebuilding.
///
/// OpenBLAS is the default because it measured as fast or faster for whole training steps here
/// (2 AVX2 cores, README "Performance"): oneDNN's kernels beat ours on some 3×3 layers, but the
/// reorders between NCHW and its blocked layouts give the gain back on the rest.
public enum ConvolutionLibrary: String, Sendable, CaseIterable {
  case openBLAS = "openblas"
  case oneDNN = "onednn"

  private static let selected = Mutex<ConvolutionLibrary>(fromEnvironment())

  /// The library in use.
  public static var current: ConvolutionLibrary {
    get { selected.withLock { $0 } }
    set { selected.withLock { $0 = newValue } }
  }

  private static func fromEnvironment() -> ConvolutionLibrary {
    guard let raw = getenv("MFD_CONVOLUTION") else { return .openBLAS }
    let value = String(cString: raw).lowercased()
    guard let library = ConvolutionLibrary(rawValue: value) else {
      preconditionFailure(
        "MFD_CONVOLUTION=\(value) is not one of \(allCases.map(\.rawValue).joined(separator: ", "))")
    }
    return library
  }

  /// Whether `geometry` goes to oneDNN under this setting.
  func servesWithOneDNN(_ geometry: Conv2dGeometry) -> Bool { self == .oneDNN }
}
