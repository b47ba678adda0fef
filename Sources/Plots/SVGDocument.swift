/// A minimal SVG 1.1 writer: shapes and text appended in drawing order, serialised as one string.
/// Enough for line charts; every value is escaped, so series names with `<` or `&` stay valid XML.
public struct SVGDocument: Sendable {
  public let width: Int
  public let height: Int
  private var elements: [String] = []

  public init(width: Int, height: Int) {
    self.width = width
    self.height = height
  }

  public mutating func rect(x: Double, y: Double, width: Double, height: Double, fill: RGB?,
                            stroke: RGB? = nil, strokeWidth: Double = 1) {
    elements.append("<rect x=\"\(n(x))\" y=\"\(n(y))\" width=\"\(n(width))\" height=\"\(n(height))\" "
      + "fill=\"\(fill?.hex ?? "none")\"\(strokeAttributes(stroke, strokeWidth))/>")
  }

  public mutating func line(x1: Double, y1: Double, x2: Double, y2: Double, stroke: RGB, strokeWidth: Double = 1) {
    elements.append("<line x1=\"\(n(x1))\" y1=\"\(n(y1))\" x2=\"\(n(x2))\" y2=\"\(n(y2))\""
      + "\(strokeAttributes(stroke, strokeWidth))/>")
  }

  /// An open polyline; `id` lets tests and readers find a series.
  public mutating func polyline(_ points: [(x: Double, y: Double)], stroke: RGB, strokeWidth: Double, id: String? = nil) {
    elements.append("<polyline\(idAttribute(id)) points=\"\(pointList(points))\" fill=\"none\""
      + "\(strokeAttributes(stroke, strokeWidth)) stroke-linejoin=\"round\" stroke-linecap=\"round\"/>")
  }

  public mutating func polygon(_ points: [(x: Double, y: Double)], fill: RGB, id: String? = nil) {
    elements.append("<polygon\(idAttribute(id)) points=\"\(pointList(points))\" fill=\"\(fill.hex)\" stroke=\"none\"/>")
  }

  /// Text with its baseline at `y`; `rotate` in degrees about the anchor point (−90: bottom to top).
  public mutating func text(_ text: String, x: Double, y: Double, size: Double, anchor: Canvas.TextAnchor = .start,
                            fill: RGB = .ink, bold: Bool = false, rotate: Double = 0) {
    let anchorName = switch anchor {
    case .start: "start"
    case .middle: "middle"
    case .end: "end"
    }
    let transform = rotate == 0 ? "" : " transform=\"rotate(\(n(rotate)) \(n(x)) \(n(y)))\""
    elements.append("<text x=\"\(n(x))\" y=\"\(n(y))\" font-family=\"DejaVu Sans Mono, monospace\" "
      + "font-size=\"\(n(size))\" text-anchor=\"\(anchorName)\" fill=\"\(fill.hex)\""
      + "\(bold ? " font-weight=\"bold\"" : "")\(transform)>\(Self.escape(text))</text>")
  }

  /// The document as UTF-8 text.
  public func render() -> String {
    var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    out += "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"\(width)\" height=\"\(height)\" "
    out += "viewBox=\"0 0 \(width) \(height)\">\n"
    for element in elements { out += "  " + element + "\n" }
    return out + "</svg>\n"
  }

  /// XML character escaping for text and attribute values.
  public static func escape(_ text: String) -> String {
    var out = ""
    for character in text {
      switch character {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"": out += "&quot;"
      case "'": out += "&apos;"
      default: out.append(character)
      }
    }
    return out
  }

  private func strokeAttributes(_ stroke: RGB?, _ width: Double) -> String {
    guard let stroke else { return "" }
    return " stroke=\"\(stroke.hex)\" stroke-width=\"\(n(width))\""
  }

  private func idAttribute(_ id: String?) -> String { id.map { " id=\"\(Self.escape($0))\"" } ?? "" }

  private func pointList(_ points: [(x: Double, y: Double)]) -> String {
    points.map { "\(n($0.x)),\(n($0.y))" }.joined(separator: " ")
  }

  /// Two decimals at most: sub-pixel precision without float noise in the file.
  private func n(_ value: Double) -> String {
    let rounded = (value * 100).rounded() / 100
    return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
  }
}
