// Data movement for the shifted-rows convolution (Conv2dShiftedRows.swift): NCHW images into
// row-shifted planes, and GEMM results in the global-row layout back to NCHW planes.
// Every loop runs in parallel over disjoint (plane, image) or (image, channel) segments, so
// results are bit-identical for any thread count.

/// The row-shifted layout of one chunk: source planes [channels, height, width] per image,
/// padded by (paddingTop, paddingLeft), read by a kernelHeight × kernelWidth window at stride 1.
struct ShiftedRowsLayout {
  let channels: Int
  let height: Int
  let width: Int
  let kernelHeight: Int
  let kernelWidth: Int
  let paddingTop: Int
  let paddingLeft: Int
  let imageCount: Int

  /// Output size of the window over one padded image.
  var outHeight: Int { height + 2 * paddingTop - kernelHeight + 1 }
  var outWidth: Int { width + 2 * paddingLeft - kernelWidth + 1 }
  /// S: rows from one image's first padding row to the next image's.
  var rowsPerImage: Int { height + paddingTop }
  /// R: rows of one shifted plane (every image, the shared padding, the final padding).
  var planeRows: Int { imageCount * rowsPerImage + paddingTop }
  var planeLength: Int { planeRows * outWidth }
  /// Rows of the packed operand: one plane per (channel, kernel column).
  var planeCount: Int { channels * kernelWidth }
  /// G: output rows the GEMMs compute, image i's plane starting at row i·S.
  var outputRows: Int { (imageCount - 1) * rowsPerImage + outHeight }
  var outputColumns: Int { outputRows * outWidth }
  /// Floats between consecutive images' output planes in the GEMM result.
  var outputImageStride: Int { rowsPerImage * outWidth }
}

/// Fills `planes` [layout.planeCount, layout.planeLength] with the chunk's row-shifted planes.
///
/// - source: the chunk's first image at its group's first channel; images `imageStride` apart,
///   channels `height · width` apart.
func packShiftedRows(
  source: UnsafePointer<Float>, imageStride: Int, layout l: ShiftedRowsLayout,
  planes: UnsafeMutablePointer<Float>
) {
  let sourcePlane = l.height * l.width
  let segment = l.rowsPerImage * l.outWidth
  // One task is one (plane, image) segment: S rows, the padding above the image included.
  parallelChunks(l.planeCount * l.imageCount, minimumChunk: max(1, 8192 / segment)) { range in
    for task in range {
      let planeIndex = task / l.imageCount
      let image = task % l.imageCount
      let channel = planeIndex / l.kernelWidth
      let shift = planeIndex % l.kernelWidth - l.paddingLeft
      let from = source + image * imageStride + channel * sourcePlane
      let plane = planes + planeIndex * l.planeLength
      let to = plane + image * segment
      to.update(repeating: 0, count: l.paddingTop * l.outWidth)
      copyShiftedImage(from, to: to + l.paddingTop * l.outWidth, layout: l, shift: shift)
      if image == l.imageCount - 1 {
        (plane + l.imageCount * segment).update(repeating: 0, count: l.paddingTop * l.outWidth)
      }
    }
  }
}

/// to[y·Wo + x] = from[y·W + x + shift] where 0 ≤ x + shift < W, else 0, for y < H.
@inline(__always)
private func copyShiftedImage(
  _ from: UnsafePointer<Float>, to: UnsafeMutablePointer<Float>, layout l: ShiftedRowsLayout,
  shift: Int
) {
  let (height, width, outWidth) = (l.height, l.width, l.outWidth)
  let first = max(0, -shift)
  let end = min(outWidth, width - shift)
  if outWidth == width && abs(shift) < width {
    // Same row length: one flat copy shifted by `shift`, then zero the columns that wrapped
    // in from the neighbouring row (one call instead of a short copy per row: rows are 4–32
    // floats on CIFAR maps).
    let count = height * width - abs(shift)
    (to + first).update(from: from + first + shift, count: count)
    for y in 0..<height {
      let row = to + y * width
      for x in 0..<first { row[x] = 0 }
      for x in end..<width { row[x] = 0 }
    }
    return
  }
  for y in 0..<height {
    let row = to + y * outWidth
    for x in 0..<min(first, outWidth) { row[x] = 0 }
    if first < end { (row + first).update(from: from + y * width + first + shift, count: end - first) }
    for x in max(first, end)..<outWidth { row[x] = 0 }
  }
}

// MARK: - Result layout

/// Copies each image's plane out of a GEMM result in the global-row layout, adding the bias.
///
/// - result: [channels, layout.outputColumns], image i's plane at column i·S·Wo
/// - destination: the chunk's first image at the group's first channel, images `imageStride`
///   apart; bias: the group's [channels] slice or nil
func scatterImagePlanes(
  _ result: UnsafePointer<Float>, layout l: ShiftedRowsLayout, channels: Int, plane: Int,
  into destination: UnsafeMutablePointer<Float>, imageStride: Int, bias: UnsafePointer<Float>?
) {
  parallelChunks(l.imageCount * channels, minimumChunk: max(1, 16384 / plane)) { range in
    for task in range {
      let (image, channel) = (task / channels, task % channels)
      let from = result + channel * l.outputColumns + image * l.outputImageStride
      let to = destination + image * imageStride + channel * plane
      if let bias {
        let b = bias[channel]
        for i in 0..<plane { to[i] = from[i] + b }
      } else {
        to.update(from: from, count: plane)
      }
    }
  }
}

/// The inverse of `scatterImagePlanes` with zeros between images: dY in the global-row layout.
func gatherImagePlanes(
  _ source: UnsafePointer<Float>, imageStride: Int, layout l: ShiftedRowsLayout, channels: Int,
  plane: Int, into result: UnsafeMutablePointer<Float>
) {
  let gap = l.outputImageStride - plane
  parallelChunks(l.imageCount * channels, minimumChunk: max(1, 16384 / plane)) { range in
    for task in range {
      let (image, channel) = (task / channels, task % channels)
      let to = result + channel * l.outputColumns + image * l.outputImageStride
      to.update(from: source + image * imageStride + channel * plane, count: plane)
      if image < l.imageCount - 1 { (to + plane).update(repeating: 0, count: gap) }
    }
  }
}
