/// An opaque 8-bit sRGB colour: the PNG encoder writes exactly these bytes, the SVG writer the
/// same values as `#rrggbb`, so both renderings of a chart use identical colours.
public struct RGB: Sendable, Equatable, Hashable {
  public var r: UInt8
  public var g: UInt8
  public var b: UInt8

  public init(_ r: UInt8, _ g: UInt8, _ b: UInt8) {
    self.r = r
    self.g = g
    self.b = b
  }

  /// A grey level (0 black, 255 white).
  public init(grey: UInt8) { self.init(grey, grey, grey) }

  public static let white = RGB(255, 255, 255)
  public static let black = RGB(0, 0, 0)
  /// Axis lines and text.
  public static let ink = RGB(34, 34, 34)
  /// Grid lines behind the data.
  public static let gridLine = RGB(225, 225, 225)

  /// Series colours: the Okabe–Ito palette, distinguishable with the common colour-vision
  /// deficiencies and in greyscale print (blue, vermillion, bluish green, reddish purple, orange,
  /// sky blue, yellow).
  public static let palette: [RGB] = [
    RGB(0, 114, 178), RGB(213, 94, 0), RGB(0, 158, 115), RGB(204, 121, 167),
    RGB(230, 159, 0), RGB(86, 180, 233), RGB(240, 228, 66),
  ]

  /// This colour moved `fraction` (0…1) of the way towards `other`: a light tint of a series
  /// colour for its min–max band, opaque so PNG and SVG agree without alpha blending.
  public func mixed(with other: RGB, fraction: Double) -> RGB {
    func channel(_ a: UInt8, _ b: UInt8) -> UInt8 {
      UInt8((Double(a) + (Double(b) - Double(a)) * fraction).rounded())
    }
    return RGB(channel(r, other.r), channel(g, other.g), channel(b, other.b))
  }

  /// `#rrggbb` for SVG attributes.
  public var hex: String {
    let digits = Array("0123456789abcdef")
    return "#" + [r, g, b].map { String(digits[Int($0 >> 4)]) + String(digits[Int($0 & 15)]) }.joined()
  }
}
