// im2col and its adjoint col2im for a chunk of images and one group.
//
// The column matrix puts the reduction (channel, kernel row, kernel column) on rows and the
// output pixels of every image of the chunk side by side on columns:
//
//   columns[(c · kh + ki) · kw + kj,  image · Ho·Wo + oy · Wo + ox]
//     = input[firstImage + image, group · C/g + c, oy · sh − ph + ki, ox · sw − pw + kj]  (0 in the padding)
//
// so one GEMM  W_g [outC/g, K] · columns [K, chunk · Ho·Wo]  convolves the whole chunk, and a
// chunk of several small images still gives the GEMM a wide N dimension.

/// Packs the receptive fields of `imageCount` images (from `firstImage`), channels of `group`,
/// into a column matrix.
///
/// - input: [batch, inChannels, height, width]
/// - columns: [columnRows, imageCount · outputPlane], rows (channel, ki, kj), columns
///   (image, oy, ox); fully overwritten, padding taps become 0.
public func im2col(
  input: UnsafePointer<Float>, geometry g: Conv2dGeometry, group: Int,
  firstImage: Int, imageCount: Int, columns: UnsafeMutablePointer<Float>
) {
  let rowLength = imageCount * g.outputPlane
  // One task is one (row, image) segment of Ho·Wo floats: disjoint writes, any schedule.
  let tasks = g.columnRows * imageCount
  parallelChunks(tasks, minimumChunk: max(1, 8192 / g.outputPlane)) { range in
    for task in range {
      let row = task / imageCount
      let image = task % imageCount
      let channel = row / g.kernelPlane
      let kernelRow = (row % g.kernelPlane) / g.kernelWidth
      let kernelColumn = row % g.kernelWidth
      let source = input + ((firstImage + image) * g.inChannels
        + group * g.inChannelsPerGroup + channel) * g.inputPlane
      let destination = columns + row * rowLength + image * g.outputPlane
      if g.isPointwise {
        // A 1×1 window with stride 1 and no padding is the input plane itself.
        destination.update(from: source, count: g.inputPlane)
      } else {
        packWindowPlane(
          source: source, destination: destination, geometry: g,
          kernelRow: kernelRow, kernelColumn: kernelColumn)
      }
    }
  }
}

/// Writes the Ho×Wo plane of input values that kernel tap (kernelRow, kernelColumn) multiplies.
@inline(__always)
private func packWindowPlane(
  source: UnsafePointer<Float>, destination: UnsafeMutablePointer<Float>,
  geometry g: Conv2dGeometry, kernelRow: Int, kernelColumn: Int
) {
  let validRows = g.validOutputRows(kernelRow: kernelRow)
  let validColumns = g.validOutputColumns(kernelColumn: kernelColumn)
  let outWidth = g.outWidth
  let stride = g.strideWidth
  for oy in 0..<g.outHeight {
    let out = destination + oy * outWidth
    guard validRows.contains(oy) else {
      out.update(repeating: 0, count: outWidth)
      continue
    }
    // Zero the padding columns on either side (a column or two: no memset call), then copy the
    // interior without bounds tests.
    for ox in 0..<validColumns.lowerBound { out[ox] = 0 }
    for ox in validColumns.upperBound..<outWidth { out[ox] = 0 }
    guard !validColumns.isEmpty else { continue }
    let iy = oy * g.strideHeight - g.paddingHeight + kernelRow
    let firstInput = source + iy * g.width
      + validColumns.lowerBound * stride - g.paddingWidth + kernelColumn
    if stride == 1 {
      copyRow(firstInput, to: out + validColumns.lowerBound, count: validColumns.count)
    } else {
      let firstOutput = out + validColumns.lowerBound
      for offset in 0..<validColumns.count { firstOutput[offset] = firstInput[offset * stride] }
    }
  }
}

/// Adjoint of `im2col`: sums every column entry back into the input pixel it was copied from.
///
/// - columns: [columnRows, imageCount · outputPlane], laid out as `im2col` writes it.
/// - gradInput: [batch, inChannels, height, width]; the planes of images
///   `firstImage..<firstImage + imageCount` and channels of `group` are overwritten (zeroed,
///   then overlapping windows accumulated); other planes are untouched.
public func col2im(
  columns: UnsafePointer<Float>, geometry g: Conv2dGeometry, group: Int,
  firstImage: Int, imageCount: Int, gradInput: UnsafeMutablePointer<Float>
) {
  let rowLength = imageCount * g.outputPlane
  // One task owns one input plane and gathers all its taps, so overlapping windows never race
  // and are summed in the same (ki, kj, oy, ox) order whatever the thread count.
  let tasks = imageCount * g.inChannelsPerGroup
  parallelChunks(tasks, minimumChunk: max(1, 8192 / (g.outputPlane * g.kernelPlane))) { range in
    for task in range {
      let image = task / g.inChannelsPerGroup
      let channel = task % g.inChannelsPerGroup
      let plane = gradInput + ((firstImage + image) * g.inChannels
        + group * g.inChannelsPerGroup + channel) * g.inputPlane
      let firstRow = channel * g.kernelPlane
      if g.isPointwise {
        plane.update(from: columns + firstRow * rowLength + image * g.outputPlane,
                     count: g.inputPlane)
        continue
      }
      plane.update(repeating: 0, count: g.inputPlane)
      for tap in 0..<g.kernelPlane {
        let source = columns + (firstRow + tap) * rowLength + image * g.outputPlane
        unpackWindowPlane(
          source: source, plane: plane, geometry: g,
          kernelRow: tap / g.kernelWidth, kernelColumn: tap % g.kernelWidth)
      }
    }
  }
}

/// Adds the Ho×Wo plane of tap (kernelRow, kernelColumn) into the input pixels it covers.
@inline(__always)
private func unpackWindowPlane(
  source: UnsafePointer<Float>, plane: UnsafeMutablePointer<Float>,
  geometry g: Conv2dGeometry, kernelRow: Int, kernelColumn: Int
) {
  let validColumns = g.validOutputColumns(kernelColumn: kernelColumn)
  guard !validColumns.isEmpty else { return }
  let stride = g.strideWidth
  for oy in g.validOutputRows(kernelRow: kernelRow) {
    let iy = oy * g.strideHeight - g.paddingHeight + kernelRow
    let firstInput = plane + iy * g.width
      + validColumns.lowerBound * stride - g.paddingWidth + kernelColumn
    let firstOutput = source + oy * g.outWidth + validColumns.lowerBound
    if stride == 1 {
      addRow(firstOutput, into: firstInput, count: validColumns.count)
    } else {
      for offset in 0..<validColumns.count { firstInput[offset * stride] += firstOutput[offset] }
    }
  }
}
