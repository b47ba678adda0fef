/// One paper table to reproduce: its grid, how to lay out the report, the published numbers and the
/// profiles. Pure data; `ManifestLoader` builds it from YAML and checks it.
public struct Manifest: Sendable {
  /// The table's identity in the paper.
  public struct Table: Sendable, Equatable {
    /// Short id used in step ids and file names (`table5`).
    public let id: String
    public let title: String
    /// Where the published numbers come from (page, table, what they are).
    public let source: String?
  }

  /// The manifest file as the user named it.
  public let path: String
  public let table: Table
  /// Grid axes; cells are model × dataset × loss, each trained once per seed of the profile.
  public let models: [String]
  public let datasets: [String]
  public let losses: [LossSpec]
  /// Extra axes over training settings (`grid.settings`); empty for most tables.
  public let settingAxes: [SettingAxis]
  public let layout: ReportLayout
  /// nil when the manifest has no published numbers (the offline demo): reports show ours only.
  public let published: PublishedValues?
  /// Figures drawn from the grid's runs (empty for most tables).
  public var figures: [FigureSpec] = []
  public let profiles: ProfileCatalog
  /// The profile used when none is asked for (`paper` unless the manifest says `default_profile:`).
  public let defaultProfile: String
  let rootLocation: SourceLocation

  /// Every cell of the grid in report order: models, then datasets, then losses.
  public var cells: [CellKey] {
    let variants = self.variants
    return models.flatMap { model in
      datasets.flatMap { dataset in
        losses.flatMap { loss in variants.map { CellKey(model: model, dataset: dataset, loss: loss.tag, variant: $0.tag) } }
      }
    }
  }

  /// Every combination of the setting axes (one empty variant when there are none).
  public var variants: [SettingVariant] { SettingVariant.all(settingAxes) }

  public func variant(tagged tag: String) -> SettingVariant? { variants.first { $0.tag == tag } }

  /// The axes a report must lay out: model, dataset, loss, and setting when the grid has setting axes.
  public var reportAxes: [GridAxis] { settingAxes.isEmpty ? [.model, .dataset, .loss] : GridAxis.allCases }

  public func loss(tagged tag: String) -> LossSpec? { losses.first { $0.tag == tag } }

  /// The named profile resolved for this manifest, with `--set` overrides applied last.
  public func resolveProfile(_ name: String, overrides: SettingsLayer = SettingsLayer()) throws(ManifestError) -> ResolvedProfile {
    try profiles.resolve(name, overrides: overrides, requestedAt: SourceLocation(file: "--profile \(name)", line: 0, column: 0))
  }
}

/// One cell of a table: everything but the seed.
public struct CellKey: Sendable, Hashable, Codable, CustomStringConvertible {
  public let model: String
  public let dataset: String
  /// `LossSpec.tag`.
  public let loss: String
  /// `SettingVariant.tag`, "" when the grid has no setting axes.
  public let variant: String

  public init(model: String, dataset: String, loss: String, variant: String = "") {
    self.model = model
    self.dataset = dataset
    self.loss = loss
    self.variant = variant
  }

  /// The value of one grid axis (`model`, `dataset` or `loss`).
  public func value(of axis: GridAxis) -> String {
    switch axis {
    case .model: return model
    case .dataset: return dataset
    case .loss: return loss
    case .setting: return variant
    }
  }

  /// `model-dataset-loss[-variant]`: the readable part of its step ids.
  public var description: String { "\(model)-\(dataset)-\(loss)" + (variant.isEmpty ? "" : "-\(variant)") }
}

/// The axes a report can lay out as rows or columns (seeds are aggregated, never laid out).
public enum GridAxis: String, Sendable, CaseIterable, Codable {
  case model, dataset, loss
  /// The combination of `grid.settings` values (only in grids that have setting axes).
  case setting
}
