/// Why a figure could not be made, in terms a user can act on.
public enum FigureError: Error, CustomStringConvertible, Equatable {
  case missingFile(String, hint: String)
  case unreadable(String, reason: String)
  /// The runs given together do not describe one comparison.
  case incompatibleRuns(String)
  case imageIndex(Int, count: Int, file: String)
  case stage(Int, available: Int)
  case channels(network: Int, image: Int)
  /// A figure step whose configuration the runner cannot use (a manifest/runner version mismatch).
  case invalidFigureStep(step: String, reason: String)

  public var description: String {
    switch self {
    case .missingFile(let path, let hint): "\(path): no such file (\(hint))"
    case .unreadable(let path, let reason): "\(path): cannot be read: \(reason)"
    case .incompatibleRuns(let reason): "these runs cannot share one figure: \(reason)"
    case .imageIndex(let index, let count, let file): "image index \(index) is outside 0..<\(count) of \(file)"
    case .stage(let stage, let available): "stage \(stage) does not exist; the network has stages 0…\(available - 1)"
    case .channels(let network, let image):
      "the network takes \(network)-channel images but the split holds \(image)-channel images: wrong dataset?"
    case .invalidFigureStep(let step, let reason): "\(step): \(reason)"
    }
  }
}
