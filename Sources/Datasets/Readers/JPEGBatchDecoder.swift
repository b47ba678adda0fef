import Foundation
import Kernels
import Synchronization

/// Decodes many JPEG files into one `ImageSet`, spread over `Threading.threadCount` workers with
/// one TurboJPEG handle each. Every image lands at its own index, so the result does not depend on
/// the scheduling; when several files fail, the error reported is the one with the lowest index.
enum JPEGBatchDecoder {
  /// - Parameters:
  ///   - files: one path per image.
  ///   - size: required decoded height and width, or nil to `resize` every image to `target`.
  ///   - transform: turns a decoded RGB image into exactly `target.height × target.width` RGB.
  static func decode(_ files: [URL], labels: [Int32], height: Int, width: Int, classNames: [String],
                     transform: (@Sendable (JPEGDecoder.RGBImage, URL) throws(DatasetError) -> JPEGDecoder.RGBImage)? = nil)
    throws(DatasetError) -> ImageSet {
    let imageSize = 3 * height * width
    var pixels = [UInt8](repeating: 0, count: files.count * imageSize)
    let firstFailure = Mutex<(index: Int, error: DatasetError)?>(nil)
    pixels.withUnsafeMutableBufferPointer { buffer in
      let out = UncheckedSendable(buffer)
      parallelChunks(files.count, minimumChunk: 16) { range in
        let decoder = JPEGDecoder()
        for i in range {
          do throws(DatasetError) {
            var image = try decoder.decode(contentsOf: files[i])
            if let transform { image = try transform(image, files[i]) }
            guard image.width == width, image.height == height else {
              throw .malformed(file: files[i].path, field: "image size", expected: "\(width)×\(height)",
                               actual: "\(image.width)×\(image.height)")
            }
            image.copyPlanar(into: UnsafeMutableBufferPointer(rebasing: out.value[i * imageSize..<(i + 1) * imageSize]))
          } catch {
            firstFailure.withLock { current in
              if current == nil || i < current!.index { current = (i, error) }
            }
            return
          }
        }
      }
    }
    if let failure = firstFailure.withLock({ $0 }) { throw failure.error }
    return ImageSet(count: files.count, channels: 3, height: height, width: width, pixels: pixels,
                    labels: labels, classNames: classNames)
  }
}
