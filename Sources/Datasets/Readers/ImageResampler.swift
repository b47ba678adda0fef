/// Square centre crop and bilinear resampling of interleaved RGB images, for face crops of any
/// size. When shrinking, the triangle filter is widened by the scale factor (as PIL's BILINEAR
/// does) so every source pixel contributes and small faces do not alias.
enum ImageResampler {
  /// The largest centred square of `image`.
  static func centreSquare(_ image: JPEGDecoder.RGBImage) -> JPEGDecoder.RGBImage {
    let side = min(image.width, image.height)
    let x0 = (image.width - side) / 2, y0 = (image.height - side) / 2
    var out = [UInt8](repeating: 0, count: side * side * 3)
    for y in 0..<side {
      let src = ((y0 + y) * image.width + x0) * 3
      out[y * side * 3..<(y + 1) * side * 3] = image.pixels[src..<src + side * 3]
    }
    return JPEGDecoder.RGBImage(width: side, height: side, pixels: out)
  }

  /// `image` resampled to `width × height`.
  static func resize(_ image: JPEGDecoder.RGBImage, width: Int, height: Int) -> JPEGDecoder.RGBImage {
    if image.width == width && image.height == height { return image }
    // Horizontal pass into [srcHeight, width, 3] floats, then vertical into [height, width, 3].
    let horizontal = weights(source: image.width, target: width)
    let vertical = weights(source: image.height, target: height)
    var rows = [Float](repeating: 0, count: image.height * width * 3)
    for y in 0..<image.height {
      for x in 0..<width {
        for (sx, w) in horizontal[x] {
          let s = (y * image.width + sx) * 3, d = (y * width + x) * 3
          for c in 0..<3 { rows[d + c] += w * Float(image.pixels[s + c]) }
        }
      }
    }
    var out = [UInt8](repeating: 0, count: height * width * 3)
    for y in 0..<height {
      for x in 0..<width {
        for c in 0..<3 {
          var v: Float = 0
          for (sy, w) in vertical[y] { v += w * rows[(sy * width + x) * 3 + c] }
          out[(y * width + x) * 3 + c] = UInt8(max(0, min(255, v.rounded())))
        }
      }
    }
    return JPEGDecoder.RGBImage(width: width, height: height, pixels: out)
  }

  /// For each target index, the source indices and normalised triangle-filter weights.
  private static func weights(source: Int, target: Int) -> [[(Int, Float)]] {
    let scale = Float(source) / Float(target)
    let support = max(1, scale)  // filter radius in source pixels
    return (0..<target).map { t in
      let centre = (Float(t) + 0.5) * scale
      let lo = max(0, Int((centre - support).rounded(.down)))
      let hi = min(source - 1, Int((centre + support).rounded(.up)))
      var taps: [(Int, Float)] = []
      var total: Float = 0
      for s in lo...hi {
        let w = max(0, 1 - abs(Float(s) + 0.5 - centre) / support)
        if w > 0 { taps.append((s, w)); total += w }
      }
      if taps.isEmpty { return [(min(source - 1, Int(centre)), 1)] }
      return taps.map { ($0.0, $0.1 / total) }
    }
  }
}
