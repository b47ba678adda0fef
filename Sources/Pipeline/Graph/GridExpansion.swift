/// Expands a manifest at a resolved profile into its step graph. Pure: same inputs, same graph.
///
/// fetch@d and preprocess@d once per dataset; train@m-d-tag-sS per cell and seed; evaluate@… per
/// trained model; aggregate@table once. Configurations carry only what the step needs, so equal
/// steps of different manifests get equal ids, configs and keys and are shared.
public enum GridExpansion {
  public static func graph(for manifest: Manifest, profile: ResolvedProfile) -> StepGraph {
    let settings = profile.settings
    var steps: [Step] = []
    for dataset in manifest.datasets {
      // Stand-in data is a different input altogether, so its steps get different keys; the
      // published source adds nothing, which keeps the keys of existing stores.
      var dataConfig: [String: ConfigValue] = ["dataset": .string(dataset)]
      if settings.dataSource == .standIn { dataConfig["source"] = .string(DataSource.standIn.rawValue) }
      steps.append(Step(id: fetchID(dataset), config: .object(dataConfig), inputs: []))
      steps.append(Step(id: preprocessID(dataset), config: .object(dataConfig), inputs: [fetchID(dataset)]))
    }
    var evaluations: [StepID] = []
    for cell in manifest.cells {
      let loss = manifest.loss(tagged: cell.loss)!
      let cellSettings = settings.applying(manifest.variant(tagged: cell.variant)!)
      for seed in settings.seeds {
        let train = trainID(cell, seed: seed)
        steps.append(Step(id: train, config: .object([
          "model": .string(cell.model), "dataset": .string(cell.dataset), "loss": loss.configValue,
          "seed": .int(seed), "settings": cellSettings.configObject,
        ]), inputs: [preprocessID(cell.dataset)]))
        let evaluate = StepID(.evaluate, train.name)
        var evaluateConfig: [String: ConfigValue] = [
          "model": .string(cell.model), "dataset": .string(cell.dataset), "loss": .string(cell.loss),
          "seed": .int(seed), "test_subset": cellSettings.testSubset.map(ConfigValue.int) ?? .null,
        ]
        if !cell.variant.isEmpty { evaluateConfig["setting"] = .string(cell.variant) }
        steps.append(Step(id: evaluate, config: .object(evaluateConfig), inputs: [train, preprocessID(cell.dataset)]))
        evaluations.append(evaluate)
      }
    }
    // One metric keeps the original field, so the keys of existing stores stay valid.
    let metrics = manifest.layout.metricKeys
    steps.append(Step(id: aggregateID(manifest), config: .object([
      "table": .string(manifest.table.id),
      metrics.count == 1 ? "metric" : "metrics": metrics.count == 1 ? .string(metrics[0]) : .array(metrics.map(ConfigValue.string)),
    ]), inputs: evaluations))
    for figure in manifest.figures {
      steps.append(figureStep(figure, manifest: manifest, seeds: settings.seeds))
    }
    // A single manifest cannot conflict with itself: ids are unique by construction.
    return try! StepGraph(steps: steps)
  }

  /// `figure@<id>` after the trained models it draws: every seed's for curves, the first seed's
  /// (and the test split) for feature maps. Variants take the grid's first setting combination.
  static func figureStep(_ figure: FigureSpec, manifest: Manifest, seeds: [Int]) -> Step {
    let variant = manifest.variants.first?.tag ?? ""
    let cells = figure.losses.map { CellKey(model: figure.model, dataset: figure.dataset, loss: $0, variant: variant) }
    var inputs: [StepID]
    switch figure.kind {
    case .accuracyCurves: inputs = cells.flatMap { cell in seeds.map { trainID(cell, seed: $0) } }
    case .featureMaps: inputs = cells.map { trainID($0, seed: seeds[0]) } + [preprocessID(figure.dataset)]
    }
    return Step(id: StepID(.figure, figure.id), config: figure.configValue, inputs: inputs)
  }

  public static func fetchID(_ dataset: String) -> StepID { StepID(.fetch, dataset) }
  public static func preprocessID(_ dataset: String) -> StepID { StepID(.preprocess, dataset) }
  public static func trainID(_ cell: CellKey, seed: Int) -> StepID { StepID(.train, "\(cell)-s\(seed)") }
  public static func evaluateID(_ cell: CellKey, seed: Int) -> StepID { StepID(.evaluate, "\(cell)-s\(seed)") }
  public static func aggregateID(_ manifest: Manifest) -> StepID { StepID(.aggregate, manifest.table.id) }
}
