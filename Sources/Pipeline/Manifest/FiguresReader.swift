/// Reads `figures:` — a list of figures drawn from the grid's own runs, each checked against the
/// grid: `- {id: fig6, kind: accuracy_curves, model: resnet50, dataset: cifar100, losses: [softmax, mfd1]}`
/// or `- {id: fig4, kind: feature_maps, …, stage: 0, image: 7, channels: 64}`.
enum FiguresReader {
  static func read(_ node: YAMLNode, for manifest: Manifest) throws(ManifestError) -> [FigureSpec] {
    var figures: [FigureSpec] = []
    for element in try node.nonEmptySequence() {
      let entry = try element.mapping()
      let kindNode = try entry.require("kind")
      let kind = FigureSpec.Kind(rawValue: try kindNode.oneOf(FigureSpec.Kind.allCases.map(\.rawValue)))!
      let common = ["id", "kind", "title", "model", "dataset", "losses"]
      try entry.rejectUnknownKeys(allowed: common + (kind == .featureMaps ? ["stage", "image", "channels"] : []))
      let idNode = try entry.require("id")
      let id = try idNode.string()
      guard ManifestLoader.isIdentifier(id) else { throw idNode.error("figure id '\(id)' must be lowercase letters, digits and _") }
      guard !figures.contains(where: { $0.id == id }) else { throw idNode.error("figure id '\(id)' is used twice") }
      let model = try PublishedValuesReader.reference(entry.require("model"), among: manifest.models, axis: "model")
      let dataset = try PublishedValuesReader.reference(entry.require("dataset"), among: manifest.datasets, axis: "dataset")
      var losses: [String] = []
      for lossNode in try entry.require("losses").nonEmptySequence() {
        let loss = try PublishedValuesReader.reference(lossNode, among: manifest.losses.map(\.tag), axis: "loss tag")
        guard !losses.contains(loss) else { throw lossNode.error("loss '\(loss)' is listed twice") }
        losses.append(loss)
      }
      var stage: Int?, image: Int?, channels: Int?
      if kind == .featureMaps {
        stage = try ranged(entry.require("stage"), 0...4, "stage")
        image = try entry.optional("image").map { node throws(ManifestError) in try ranged(node, 0...Int.max, "image") } ?? 0
        channels = try entry.optional("channels").map { node throws(ManifestError) in try ranged(node, 1...4096, "channels") } ?? 64
      }
      figures.append(FigureSpec(id: id, kind: kind, title: try entry.optional("title")?.string(), model: model, dataset: dataset,
                                losses: losses, stage: stage, image: image, channels: channels))
    }
    return figures
  }

  private static func ranged(_ node: YAMLNode, _ range: ClosedRange<Int>, _ what: String) throws(ManifestError) -> Int {
    let value = try node.int()
    guard range.contains(value) else {
      throw node.error("\(what) must be \(range.upperBound == Int.max ? "≥ \(range.lowerBound)" : "in \(range.lowerBound)...\(range.upperBound)"), got \(value)")
    }
    return value
  }
}
