/// A complete, checked set of training settings: every field of `TrainingSettingsSchema` has a value.
public struct TrainingSettings: Sendable, Equatable {
  /// Dotted path → value, one entry per schema field.
  public let values: [String: ConfigValue]

  /// Checks completeness and cross-field rules; errors point at the value that breaks them.
  init(_ layer: SettingsLayer, profile: String, definedAt location: SourceLocation) throws(ManifestError) {
    let missing = TrainingSettingsSchema.fields.map(\.path).filter { layer.entries[$0] == nil }
    guard missing.isEmpty else {
      throw ManifestError(location, keyPath: "profiles.\(profile)",
                          "profile '\(profile)' leaves \(missing.joined(separator: ", ")) unset; set them or extend a complete profile")
    }
    if let milestones = layer.entries["schedule.milestones"] {
      let values = milestones.value.arrayValue?.compactMap(\.intValue) ?? []
      if values != values.sorted() || Set(values).count != values.count {
        throw ManifestError(milestones.location, keyPath: "schedule.milestones", "milestones must be strictly ascending, got \(values)")
      }
    }
    values = layer.entries.mapValues(\.value)
  }

  /// Settings already known complete and checked (a checked set with schema-typed values applied).
  init(checkedValues: [String: ConfigValue]) { values = checkedValues }

  /// The settings as one nested JSON object (`{"optimizer": {"lr": 0.1, …}, …}`) for a training
  /// step. Seeds are excluded (a step runs one seed, which its config carries separately) and so
  /// is the data source (it is the fetch step's setting; training sees it through its inputs).
  public var configObject: ConfigValue {
    var root: [String: ConfigValue] = [:]
    for (path, value) in values where path != "seeds" && path != "data.source" {
      Self.insert(value, at: path.split(separator: ".").map(String.init)[...], into: &root)
    }
    return .object(root)
  }

  private static func insert(_ value: ConfigValue, at path: ArraySlice<String>, into object: inout [String: ConfigValue]) {
    let key = path.first!
    if path.count == 1 { object[key] = value; return }
    var child = object[key]?.objectValue ?? [:]
    insert(value, at: path.dropFirst(), into: &child)
    object[key] = .object(child)
  }

  public var seeds: [Int] { values["seeds"]?.arrayValue?.compactMap(\.intValue) ?? [] }
  public var epochs: Int { values["schedule.epochs"]?.intValue ?? 0 }
  public var batchSize: Int { values["data.batch_size"]?.intValue ?? 0 }
  /// nil means the whole training set.
  public var trainSubset: Int? { values["data.train_subset"]?.intValue }
  /// nil means the whole test set.
  public var testSubset: Int? { values["data.test_subset"]?.intValue }
  public var dataSource: DataSource { values["data.source"]?.stringValue.flatMap(DataSource.init) ?? .published }
  public var widthMultiplier: Double { values["model.width_multiplier"]?.doubleValue ?? 1 }

  /// Human-readable `path value (paper: value)` for every setting that differs from `reference`.
  public func differences(from reference: TrainingSettings) -> [String] {
    TrainingSettingsSchema.fields.compactMap { field in
      let mine = values[field.path], theirs = reference.values[field.path]
      guard mine != theirs else { return nil }
      return "\(field.path) \(mine.map(Self.display) ?? "-") (paper: \(theirs.map(Self.display) ?? "-"))"
    }
  }

  static func display(_ value: ConfigValue) -> String {
    switch value {
    case .null: return "all"
    case .array(let values): return values.isEmpty ? "none" : values.map(display).joined(separator: ",")
    case .string(let s): return s
    default: return value.canonicalJSON
    }
  }
}

/// Where a profile's images come from (`data.source`).
public enum DataSource: String, Sendable, CaseIterable {
  /// The datasets' published files, downloaded and verified against their published checksums.
  case published
  /// Generated images in each dataset's real file format: no download, for the smoke profile
  /// and CI. Every table made from them says so.
  case standIn = "stand_in"
}
