/// The paper's training augmentation: zero-pad each side by `padding`, crop a random window of the
/// original size, then flip horizontally with probability 0.5 (torchvision's
/// `RandomCrop(size, padding)` + `RandomHorizontalFlip()`, in that order).
///
/// "Zero" means pixel value 0 *before* normalisation, as torchvision pads the uint8/PIL image; a
/// padded pixel therefore becomes −mean/std after normalisation, not 0.
public struct Augmentation: Sendable, Equatable, Codable {
  public var padding: Int
  public var horizontalFlip: Bool

  public init(padding: Int, horizontalFlip: Bool) {
    precondition(padding >= 0, "padding must be non-negative")
    self.padding = padding
    self.horizontalFlip = horizontalFlip
  }

  /// Pad 4, random crop, flip p = 0.5.
  public static let paper = Augmentation(padding: 4, horizontalFlip: true)
  /// Normalisation only (test images).
  public static let none = Augmentation(padding: 0, horizontalFlip: false)

  /// One image's random choices: crop offsets in the padded image (0…2·padding) and the flip.
  public struct Draw: Sendable, Equatable {
    public var dy: Int
    public var dx: Int
    public var flip: Bool

    public init(dy: Int, dx: Int, flip: Bool) {
      self.dy = dy
      self.dx = dx
      self.flip = flip
    }
  }

  /// Draws one image's choices from `generator` (three draws, always, so the stream position does
  /// not depend on the settings' outcomes).
  public func draw<G: RandomNumberGenerator>(using generator: inout G) -> Draw {
    let span = UInt64(2 * padding + 1)
    let dy = Int(generator.next() % span), dx = Int(generator.next() % span)
    let flip = generator.next() >> 63 == 1
    return Draw(dy: dy, dx: dx, flip: horizontalFlip && flip)
  }

  /// Writes one augmented, normalised image.
  /// - Parameters:
  ///   - source: [channels, height, width] uint8.
  ///   - table: `Normalisation.lookupTable()`, [channels · 256].
  ///   - destination: [channels, height, width] Float32.
  public func render(_ source: UnsafeBufferPointer<UInt8>, channels: Int, height: Int, width: Int, draw: Draw,
                     table: UnsafeBufferPointer<Float>, into destination: UnsafeMutablePointer<Float>) {
    let p = padding
    for c in 0..<channels {
      let lut = table.baseAddress! + c * 256
      let padValue = lut[0]
      let plane = source.baseAddress! + c * height * width
      let out = destination + c * height * width
      for y in 0..<height {
        let sy = y + draw.dy - p
        let row = out + y * width
        guard sy >= 0 && sy < height else {
          for x in 0..<width { row[x] = padValue }
          continue
        }
        let src = plane + sy * width
        if !draw.flip && draw.dx == p {
          for x in 0..<width { row[x] = lut[Int(src[x])] }  // the common centre case, no bounds tests
          continue
        }
        for x in 0..<width {
          // Crop, then flip: output column x reads cropped column (flip ? w−1−x : x).
          let sx = (draw.flip ? width - 1 - x : x) + draw.dx - p
          row[x] = sx >= 0 && sx < width ? lut[Int(src[sx])] : padValue
        }
      }
    }
  }
}
