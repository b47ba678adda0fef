import Datasets
import Foundation
import Kernels

/// Generated images and their encodings.
enum ImageFixtures {
  /// Deterministic pseudo-random pixels.
  static func pixels(_ count: Int, seed: UInt64) -> [UInt8] {
    var generator = SeededGenerator(seed: seed)
    return (0..<count).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
  }

  /// A smooth RGB image (gradients compress well and survive JPEG almost unchanged).
  static func smoothRGB(width: Int, height: Int, seed: Int) -> [UInt8] {
    var out = [UInt8](repeating: 0, count: width * height * 3)
    for y in 0..<height {
      for x in 0..<width {
        let i = (y * width + x) * 3
        out[i] = UInt8((x * 255 / max(1, width - 1) + seed * 40) % 256)
        out[i + 1] = UInt8((y * 255 / max(1, height - 1) + seed * 70) % 256)
        out[i + 2] = UInt8((seed * 90) % 256)
      }
    }
    return out
  }

  /// Interleaved gray (`channels` 1), RGB (3) or CMYK (4) pixels as a baseline JPEG.
  static func jpeg(_ pixels: [UInt8], width: Int, height: Int, channels: Int, quality: Int32 = 95) -> Data {
    let format: JPEGEncoder.PixelFormat = channels == 1 ? .gray : channels == 4 ? .cmyk : .rgb
    return try! JPEGEncoder.encode(pixels, width: width, height: height, format: format, quality: quality)
  }

  /// CIFAR binary records: `labelBytes` leading label bytes per record, then 3072 pixel bytes.
  static func cifarRecords(labels: [[UInt8]], seed: UInt64) -> (file: Data, pixels: [UInt8]) {
    let pixels = pixels(labels.count * 3072, seed: seed)
    var file = Data()
    for (i, label) in labels.enumerated() {
      file.append(contentsOf: label)
      file.append(contentsOf: pixels[i * 3072..<(i + 1) * 3072])
    }
    return (file, pixels)
  }

  /// A descriptor like `base` but accepting exactly `archives` (the test's own checksums).
  static func descriptor(_ base: DatasetDescriptor, accepting archives: [String: Data]) -> DatasetDescriptor {
    var copy = base
    copy.files = base.files.map { file in
      var file = file
      file.accepted = [ExpectedDigest(size: Int64(archives[file.name]!.count), sha256: Digest(of: archives[file.name]!).sha256,
                                      md5: Digest(of: archives[file.name]!).md5, origin: "test fixture")]
      file.content = nil
      return file
    }
    return copy
  }
}
