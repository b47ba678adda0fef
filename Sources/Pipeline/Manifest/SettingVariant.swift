/// An extra grid axis over one training setting (`grid.settings: {optimizer.lr: [0.1, 0.05]}`).
public struct SettingAxis: Sendable, Equatable {
  /// Dotted schema path (`optimizer.lr`).
  public let path: String
  public let values: [ConfigValue]

  /// The short name used in tags: the last path component (`lr`, `width_multiplier`).
  var shortName: String { String(path.split(separator: ".").last!) }
}

/// One combination of the setting axes' values, applied over the profile's settings.
public struct SettingVariant: Sendable, Hashable {
  /// (dotted path, value) in axis order.
  public let assignments: [Assignment]

  public struct Assignment: Sendable, Hashable {
    public let path: String
    public let value: ConfigValue
  }

  /// `lr0.05`, `lr0.05-width_multiplier0.5`; "" when the grid has no setting axes.
  public let tag: String

  /// Every combination of the axes' values, first axis outermost; one empty variant without axes.
  static func all(_ axes: [SettingAxis]) -> [SettingVariant] {
    axes.reduce([SettingVariant(assignments: [], tag: "")]) { partial, axis in
      partial.flatMap { prefix in
        axis.values.map { value in
          let part = axis.shortName + TrainingSettings.display(value)
          return SettingVariant(assignments: prefix.assignments + [Assignment(path: axis.path, value: value)],
                                tag: prefix.tag.isEmpty ? part : "\(prefix.tag)-\(part)")
        }
      }
    }
  }
}

extension TrainingSettings {
  /// These settings with a variant's values written over them.
  public func applying(_ variant: SettingVariant) -> TrainingSettings {
    var values = self.values
    for assignment in variant.assignments { values[assignment.path] = assignment.value }
    return TrainingSettings(checkedValues: values)
  }
}
