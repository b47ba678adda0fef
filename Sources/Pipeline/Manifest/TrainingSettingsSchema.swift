/// Every training setting a profile fixes. The Steps module reads the resolved values by these paths.
public enum TrainingSettingsSchema {
  public static let fields: [SettingField] = [
    SettingField("optimizer.name", .choice(["sgd"]), "optimiser (the paper uses SGD)"),
    SettingField("optimizer.lr", .double(minimum: 0, exclusive: true), "initial learning rate"),
    SettingField("optimizer.momentum", .double(minimum: 0, exclusive: false), "SGD momentum"),
    SettingField("optimizer.weight_decay", .double(minimum: 0, exclusive: false), "L2 weight decay"),
    SettingField("schedule.epochs", .int(minimum: 1), "training epochs"),
    SettingField("schedule.milestones", .intList(minimum: 1, nonEmpty: false),
                 "epochs after which the learning rate is multiplied by gamma, ascending"),
    SettingField("schedule.gamma", .double(minimum: 0, exclusive: true), "learning-rate factor at each milestone"),
    SettingField("data.source", .choice(DataSource.allCases.map(\.rawValue)),
                 "published: the datasets' real files; stand_in: generated images in the same file formats "
                   + "(offline, for tests; the numbers say nothing about the datasets)"),
    SettingField("data.batch_size", .int(minimum: 1), "images per SGD step"),
    SettingField("data.train_subset", .intOrNull(minimum: 1),
                 "training images used (a fixed, seed-independent subset), null for the whole set"),
    SettingField("data.test_subset", .intOrNull(minimum: 1), "test images evaluated, null for the whole set"),
    SettingField("data.augmentation.pad_crop", .int(minimum: 0),
                 "zero padding in pixels before the random crop back to the original size (0: no crop)"),
    SettingField("data.augmentation.flip", .bool, "random horizontal flip with p = 0.5"),
    SettingField("model.width_multiplier", .double(minimum: 0, exclusive: true), "channel width factor (1 = paper)"),
    SettingField("seeds", .intList(minimum: 0, nonEmpty: true), "seeds, one training run per cell and seed"),
  ]

  static let fieldsByPath: [String: SettingField] = Dictionary(uniqueKeysWithValues: fields.map { ($0.path, $0) })

  /// The keys allowed directly under `prefix` ("" for the top level): leaf names and group names.
  static func childKeys(of prefix: String) -> [String] {
    var keys: [String] = []
    let start = prefix.isEmpty ? "" : prefix + "."
    for field in fields where field.path.hasPrefix(start) {
      let rest = field.path.dropFirst(start.count)
      let key = String(rest.split(separator: ".").first!)
      if !keys.contains(key) { keys.append(key) }
    }
    return keys
  }
}
