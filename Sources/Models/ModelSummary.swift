/// What `mfd models` prints about one network: size, cost and stage shapes.
public struct ModelSummary: Sendable, Codable {
  public var architecture: Architecture
  public var classes: Int
  public var parameters: Int
  public var macsAt32: Int
  public var macsAt64: Int
  public var macsAt64WithStemPool: Int?
  /// [c, h, w] of S0…S4 at 32×32.
  public var stageShapesAt32: [[Int]]
  public var blockTaps: Int

  /// Builds the network at width 1 (weights stay unallocated zero pages) and measures it.
  public init(_ architecture: Architecture, classes: Int = 100) throws {
    let plain = ModelConfiguration(architecture: architecture, classes: classes)
    let network = try Network(plain)
    self.architecture = architecture
    self.classes = classes
    parameters = network.parameterCount
    macsAt32 = network.macsPerImage(side: 32)
    macsAt64 = network.macsPerImage(side: 64)
    stageShapesAt32 = try network.stageShapes(side: 32).map { Array($0.dropFirst()) }
    var pooled = plain
    pooled.stemPool = true
    macsAt64WithStemPool = (try? Network(pooled))?.macsPerImage(side: 64)
    var blocks = plain
    blocks.mfdPlacement = .blocks
    blockTaps = try Network(blocks).mfdTaps.count
  }

  /// A Markdown table of summaries.
  public static func markdown(_ summaries: [ModelSummary]) -> String {
    var lines = [
      "| network | parameters | MMACs @32 | MMACs @64 | MMACs @64 + stem pool | stage shapes @32 (S0…S4) | block taps |",
      "|---|---|---|---|---|---|---|",
    ]
    for s in summaries {
      let shapes = s.stageShapesAt32.map { $0.map(String.init).joined(separator: "×") }.joined(separator: ", ")
      let pooled = s.macsAt64WithStemPool.map { millions($0) } ?? "–"
      lines.append("| \(s.architecture.rawValue) | \(grouped(s.parameters)) | \(millions(s.macsAt32)) | "
        + "\(millions(s.macsAt64)) | \(pooled) | \(shapes) | \(s.blockTaps) |")
    }
    return lines.joined(separator: "\n")
  }
}

private func grouped(_ n: Int) -> String {
  var digits = Array(String(n)), out: [Character] = []
  while digits.count > 3 { out = [","] + digits.suffix(3) + out; digits.removeLast(3) }
  return String(digits + out)
}

private func millions(_ macs: Int) -> String {
  let tenths = (macs + 50_000) / 100_000
  return "\(tenths / 10).\(tenths % 10)"
}
