/// Feature-map grids side by side under their titles, with a figure title and the grids' caption
/// underneath: the layout of the paper's Figs. 4 and 5 (softmax left, softmax + MFD right), or a
/// single panel for Fig. 1.
public struct FeatureMapComparison: Sendable {
  public struct Panel: Sendable {
    public var title: String
    public var grid: FeatureMapGrid
    public init(title: String, grid: FeatureMapGrid) {
      self.title = title
      self.grid = grid
    }
  }

  public var title: String
  public var panels: [Panel]
  /// Extra lines under the grids' own caption (image index, checkpoints).
  public var notes: [String]

  static let margin = 20
  static let panelGap = 40
  static let textScale = 2

  public init(title: String, panels: [Panel], notes: [String] = []) {
    precondition(!panels.isEmpty, "a comparison needs at least one panel")
    self.title = title
    self.panels = panels
    self.notes = notes
  }

  /// Top-left corner of panel `index`'s grid in the figure.
  public func gridOrigin(_ index: Int) -> (x: Int, y: Int) {
    let x = Self.margin + panels[..<index].reduce(0) { $0 + $1.grid.width + Self.panelGap }
    return (x, Self.margin + 2 * (BitmapFont.height(scale: Self.textScale) + 12))
  }

  /// Every caption line under the grids: the first panel's normalisation caption, then notes.
  public var captionLines: [String] { panels[0].grid.caption + notes }

  public func canvas() -> Canvas {
    let textHeight = BitmapFont.height(scale: Self.textScale)
    let gridsWidth = panels.reduce(0) { $0 + $1.grid.width } + (panels.count - 1) * Self.panelGap
    let textWidth = ([title] + captionLines).map { BitmapFont.width(of: $0, scale: Self.textScale) }.max()!
    let width = 2 * Self.margin + max(gridsWidth, textWidth)
    let gridsTop = gridOrigin(0).y
    let gridsHeight = panels.map(\.grid.height).max()!
    let height = gridsTop + gridsHeight + 16 + captionLines.count * (textHeight + 8) + Self.margin
    var canvas = Canvas(width: width, height: height)
    canvas.text(title, x: width / 2, y: Self.margin, scale: Self.textScale, anchor: .middle)
    canvas.text(title, x: width / 2 + 1, y: Self.margin, scale: Self.textScale, anchor: .middle)
    for (index, panel) in panels.enumerated() {
      let origin = gridOrigin(index)
      canvas.text(panel.title, x: origin.x + panel.grid.width / 2, y: origin.y - textHeight - 10,
                  scale: Self.textScale, anchor: .middle)
      canvas.draw(panel.grid.canvas(), atX: origin.x, y: origin.y)
    }
    for (line, text) in captionLines.enumerated() {
      canvas.text(text, x: Self.margin, y: gridsTop + gridsHeight + 16 + line * (textHeight + 8),
                  scale: Self.textScale, RGB(90, 90, 90))
    }
    return canvas
  }

  public func png() throws(PNGError) -> [UInt8] { try PNGEncoder.encode(canvas()) }
}
