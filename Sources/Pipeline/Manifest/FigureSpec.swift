/// One figure a manifest draws from its own training runs (`figures:`): the paper's Fig. 6
/// (test accuracy per epoch) or Figs. 1, 4 and 5 (a stage's first feature maps for one test image).
public struct FigureSpec: Sendable, Equatable {
  public enum Kind: String, Sendable, CaseIterable {
    /// Test accuracy per epoch, one curve per loss: the mean over the profile's seeds with a
    /// min–max band.
    case accuracyCurves = "accuracy_curves"
    /// The first `channels` maps of stage `stage` for test image `image`, one panel per loss, from
    /// the models of the profile's first seed.
    case featureMaps = "feature_maps"
  }

  /// Names the step (`figure@fig6`) and the files (`results/fig6[-profile].png`).
  public let id: String
  public let kind: Kind
  public let title: String?
  public let model: String
  public let dataset: String
  /// Loss tags of the grid, one curve or panel each, in this order.
  public let losses: [String]
  /// Feature maps only: the stage (0–4), the test image's index in the test split, channels shown.
  public let stage: Int?
  public let image: Int?
  public let channels: Int?

  /// The step's configuration: everything the drawing depends on.
  var configValue: ConfigValue {
    var object: [String: ConfigValue] = [
      "id": .string(id), "kind": .string(kind.rawValue), "model": .string(model), "dataset": .string(dataset),
      "losses": .array(losses.map(ConfigValue.string)),
    ]
    if let title { object["title"] = .string(title) }
    if let stage { object["stage"] = .int(stage) }
    if let image { object["image"] = .int(image) }
    if let channels { object["channels"] = .int(channels) }
    return .object(object)
  }
}
