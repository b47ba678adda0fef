/// An 8-bit RGB raster, row-major from the top-left, with the few drawing operations the figures
/// need. Deliberately without anti-aliasing: every pixel is one of the colours drawn, which keeps
/// the tests exact (a series' colour is found where its line must be) and the PNGs small.
public struct Canvas: Sendable, Equatable {
  public let width: Int
  public let height: Int
  /// width · height · 3 bytes, R G B per pixel.
  public private(set) var pixels: [UInt8]

  /// A canvas filled with `background`.
  public init(width: Int, height: Int, background: RGB = .white) {
    precondition(width > 0 && height > 0, "a canvas needs a positive size, got \(width)×\(height)")
    self.width = width
    self.height = height
    pixels = [UInt8](repeating: 0, count: width * height * 3)
    fill(background)
  }

  /// The colour at (x, y); (0, 0) is the top-left pixel.
  public subscript(x: Int, y: Int) -> RGB {
    get {
      let i = (y * width + x) * 3
      return RGB(pixels[i], pixels[i + 1], pixels[i + 2])
    }
    set { set(x, y, newValue) }
  }

  /// Sets one pixel; coordinates outside the canvas are ignored (clipping for every operation).
  public mutating func set(_ x: Int, _ y: Int, _ colour: RGB) {
    guard x >= 0, y >= 0, x < width, y < height else { return }
    let i = (y * width + x) * 3
    pixels[i] = colour.r
    pixels[i + 1] = colour.g
    pixels[i + 2] = colour.b
  }

  public mutating func fill(_ colour: RGB) {
    fillRect(x: 0, y: 0, width: width, height: height, colour)
  }

  /// Fills the pixels x..<x+width, y..<y+height (clipped).
  public mutating func fillRect(x: Int, y: Int, width w: Int, height h: Int, _ colour: RGB) {
    let x0 = max(0, x), y0 = max(0, y), x1 = min(width, x + w), y1 = min(height, y + h)
    guard x0 < x1, y0 < y1 else { return }
    for row in y0..<y1 {
      for column in x0..<x1 { set(column, row, colour) }
    }
  }

  /// A rectangle outline `thickness` pixels wide, drawn inside the rectangle's bounds.
  public mutating func strokeRect(x: Int, y: Int, width w: Int, height h: Int, thickness: Int = 1, _ colour: RGB) {
    fillRect(x: x, y: y, width: w, height: thickness, colour)
    fillRect(x: x, y: y + h - thickness, width: w, height: thickness, colour)
    fillRect(x: x, y: y, width: thickness, height: h, colour)
    fillRect(x: x + w - thickness, y: y, width: thickness, height: h, colour)
  }

  /// A straight line between two points (pixel-centre coordinates, fractional allowed): every
  /// pixel whose centre lies within `thickness / 2` of the segment. Joined segments therefore meet
  /// with round joins, so a polyline has no gaps at its corners.
  public mutating func line(from a: (x: Double, y: Double), to b: (x: Double, y: Double),
                            thickness: Double = 1, _ colour: RGB) {
    // A 1-pixel line must still cover the pixel it passes through: radius at least √2 / 2.
    let radius = max(thickness / 2, 0.5.squareRoot() + 0.0001)
    let x0 = max(0, Int((min(a.x, b.x) - radius).rounded(.down)))
    let x1 = min(width - 1, Int((max(a.x, b.x) + radius).rounded(.up)))
    let y0 = max(0, Int((min(a.y, b.y) - radius).rounded(.down)))
    let y1 = min(height - 1, Int((max(a.y, b.y) + radius).rounded(.up)))
    guard x0 <= x1, y0 <= y1 else { return }
    let dx = b.x - a.x, dy = b.y - a.y
    let lengthSquared = dx * dx + dy * dy
    let r2 = thickness <= 1 ? 0.25 : radius * radius
    for py in y0...y1 {
      for px in x0...x1 {
        let cx = Double(px), cy = Double(py)
        var t = lengthSquared > 0 ? ((cx - a.x) * dx + (cy - a.y) * dy) / lengthSquared : 0
        t = min(1, max(0, t))
        let ex = a.x + t * dx - cx, ey = a.y + t * dy - cy
        // Thin lines use the max-norm (a pixel-wide stroke without holes); thick ones the disc.
        let inside = thickness <= 1 ? max(abs(ex), abs(ey)) <= 0.5 : ex * ex + ey * ey <= r2
        if inside { set(px, py, colour) }
      }
    }
  }

  /// A polyline through `points` (see `line`).
  public mutating func polyline(_ points: [(x: Double, y: Double)], thickness: Double = 1, _ colour: RGB) {
    guard let first = points.first else { return }
    if points.count == 1 { line(from: first, to: first, thickness: thickness, colour); return }
    for i in 1..<points.count { line(from: points[i - 1], to: points[i], thickness: thickness, colour) }
  }

  /// Fills a simple polygon (even–odd rule, sampled at pixel centres): the min–max band of a
  /// series is the polygon of its upper edge followed by its lower edge reversed.
  public mutating func fillPolygon(_ points: [(x: Double, y: Double)], _ colour: RGB) {
    guard points.count >= 3 else { return }
    let top = max(0, Int(points.map(\.y).min()!.rounded(.down)))
    let bottom = min(height - 1, Int(points.map(\.y).max()!.rounded(.up)))
    guard top <= bottom else { return }
    for py in top...bottom {
      let y = Double(py)
      var crossings: [Double] = []
      for i in points.indices {
        let p = points[i], q = points[(i + 1) % points.count]
        // Half-open in y so a vertex shared by two edges counts once.
        if (p.y <= y && q.y > y) || (q.y <= y && p.y > y) {
          crossings.append(p.x + (y - p.y) / (q.y - p.y) * (q.x - p.x))
        }
      }
      crossings.sort()
      var i = 0
      while i + 1 < crossings.count {
        let from = max(0, Int(crossings[i].rounded(.up))), to = min(width - 1, Int(crossings[i + 1].rounded(.down)))
        if from <= to { for px in from...to { set(px, py, colour) } }
        i += 2
      }
    }
  }

  /// Copies `other` with its top-left corner at (x, y) (clipped).
  public mutating func draw(_ other: Canvas, atX x: Int, y: Int) {
    for row in 0..<other.height {
      for column in 0..<other.width { set(x + column, y + row, other[column, row]) }
    }
  }
}
