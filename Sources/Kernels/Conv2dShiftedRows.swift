// Stride-1 convolution as kernelHeight GEMMs over row-shifted planes, forward and backward.
//
// im2col copies every input value kh·kw times (9× for 3×3) and the GEMM then reads that copy
// back; on 32×32 maps the copy traffic costs about as much as the arithmetic. Here a chunk of
// images is copied only kw times, into "shifted planes": for each input channel c and kernel
// column kj, one long plane holding every image of the chunk stacked vertically, each row
// already shifted left by kj − pw and zero-filled at the edges, with ph zero rows between
// images (shared by the image above and the one below):
//
//   planes[c·kw + kj, r·Wo + x] = input[image i, c, r − i·S − ph, x + kj − pw]   (0 outside)
//   with S = H + ph rows per image and R = n·S + ph rows in all.
//
// Kernel row ki is then a pure pointer shift by ki rows, so the forward pass is
//
//   Y [outC/g, G·Wo] = Σ_ki W_ki [outC/g, C/g·kw] · (planes + ki·Wo) [C/g·kw, G·Wo]
//
// over G = (n−1)·S + Ho output rows: image i's output plane is the contiguous block starting at
// row i·S, and the kh − 1 − ph rows between images are computed and discarded (3 % of the GEMM
// on 32×32 maps, 12 % on 8×8). W_ki [o, c·kw + kj] = W[o, c, ki, kj] is a small per-call repack.
//
// Backward, the input gradient of a stride-1 convolution is itself one: the output gradient
// convolved with the kernel flipped in both axes and transposed in channels, padded by
// (kh−1−ph, kw−1−pw), with the same S. So it runs through the same shifted planes (built from
// dY) with no col2im; and when Wo = W the centre column of those planes (kj = kw−1−pw) already
// is dY in the global-row layout, zero between images, which the weight gradient needs:
//
//   dW_ki [outC/g, C/g·kw] += dY [outC/g, G·Wo] · (planes + ki·Wo)ᵀ

extension Conv2dGeometry {
  /// Whether `Conv2dAlgorithm.shiftedRows` computes this geometry: stride 1 and a padding no
  /// larger than kernel − 1 (so the backward pass is again such a convolution), not 1×1.
  public var supportsShiftedRows: Bool {
    strideHeight == 1 && strideWidth == 1 && kernelPlane > 1
      && paddingHeight <= kernelHeight - 1 && paddingWidth <= kernelWidth - 1
  }

  /// Images per chunk for the shifted-rows path: about `targetColumns` GEMM columns, the shifted
  /// planes held to `maximumPlaneFloats` (both forward on x and backward on dY).
  public func defaultShiftedRowsImagesPerChunk(
    targetColumns: Int = 8192, maximumPlaneFloats: Int = 1 << 20
  ) -> Int {
    let rowsPerImage = height + paddingHeight
    let byWidth = (targetColumns + rowsPerImage * outWidth - 1) / (rowsPerImage * outWidth)
    let planeFloatsPerImage = max(inChannelsPerGroup * kernelWidth * rowsPerImage * outWidth,
                                  outChannelsPerGroup * kernelWidth * rowsPerImage * width)
    let byMemory = maximumPlaneFloats / planeFloatsPerImage
    return max(1, min(batch, byWidth, byMemory))
  }

  fileprivate func forwardLayout(imageCount: Int) -> ShiftedRowsLayout {
    ShiftedRowsLayout(
      channels: inChannelsPerGroup, height: height, width: width, kernelHeight: kernelHeight,
      kernelWidth: kernelWidth, paddingTop: paddingHeight, paddingLeft: paddingWidth,
      imageCount: imageCount)
  }

  /// The input-gradient convolution: dY padded by (kh−1−ph, kw−1−pw) under the flipped kernel.
  fileprivate func transposedLayout(imageCount: Int) -> ShiftedRowsLayout {
    ShiftedRowsLayout(
      channels: outChannelsPerGroup, height: outHeight, width: outWidth,
      kernelHeight: kernelHeight, kernelWidth: kernelWidth,
      paddingTop: kernelHeight - 1 - paddingHeight, paddingLeft: kernelWidth - 1 - paddingWidth,
      imageCount: imageCount)
  }
}

/// Forward convolution over row-shifted planes (stride 1; see `supportsShiftedRows`).
///
/// - input: [batch, inChannels, height, width]
/// - weight: [outChannels, inChannels / groups, kernelHeight, kernelWidth]
/// - bias: [outChannels] or nil
/// - output: [batch, outChannels, outHeight, outWidth], overwritten
/// - imagesPerChunk: images per GEMM (`defaultShiftedRowsImagesPerChunk()`)
public func conv2dShiftedRowsForward(
  input: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
  output: UnsafeMutablePointer<Float>, geometry g: Conv2dGeometry,
  workspace: Conv2dWorkspace, imagesPerChunk: Int
) {
  precondition(g.supportsShiftedRows, "shifted rows cannot compute \(g)")
  let chunk = max(1, min(imagesPerChunk, g.batch))
  let full = g.forwardLayout(imageCount: chunk)
  let tapFloats = g.weightCount
  let planeFloats = full.planeCount * full.planeLength
  let resultFloats = chunk == 1 ? 0 : g.outChannelsPerGroup * full.outputColumns
  let scratch = workspace.floats(tapFloats + planeFloats + resultFloats)
  let (taps, planes, result) = (scratch, scratch + tapFloats, scratch + tapFloats + planeFloats)
  repackWeightByKernelRow(weight, into: taps, geometry: g)
  let outPerGroup = g.outChannelsPerGroup
  let tapColumns = full.planeCount

  for firstImage in stride(from: 0, to: g.batch, by: chunk) {
    let layout = g.forwardLayout(imageCount: min(chunk, g.batch - firstImage))
    for group in 0..<g.groups {
      packShiftedRows(
        source: input + (firstImage * g.inChannels + group * g.inChannelsPerGroup) * g.inputPlane,
        imageStride: g.inChannels * g.inputPlane, layout: layout, planes: planes)
      // One image: the GEMM result [outC/g, Ho·Wo] is the image's group of output planes.
      let inPlace = layout.imageCount == 1
      let destination = inPlace
        ? output + (firstImage * g.outChannels + group * outPerGroup) * g.outputPlane : result
      for kernelRow in 0..<g.kernelHeight {
        sgemm(.none, .none, m: outPerGroup, n: layout.outputColumns, k: tapColumns,
              a: taps + (kernelRow * g.outChannels + group * outPerGroup) * tapColumns,
              lda: tapColumns,
              b: planes + kernelRow * layout.outWidth, ldb: layout.planeLength,
              beta: kernelRow == 0 ? 0 : 1, c: destination, ldc: layout.outputColumns)
      }
      if !inPlace {
        scatterImagePlanes(
          result, layout: layout, channels: outPerGroup, plane: g.outputPlane,
          into: output + (firstImage * g.outChannels + group * outPerGroup) * g.outputPlane,
          imageStride: g.outChannels * g.outputPlane, bias: bias.map { $0 + group * outPerGroup })
      }
    }
    if layout.imageCount == 1, let bias {
      conv2dAddBias(bias, to: output, firstImage: firstImage, imageCount: 1,
                    channels: g.outChannels, plane: g.outputPlane)
    }
  }
}

/// Backward of `conv2dShiftedRowsForward`.
///
/// - input, weight: as in the forward pass
/// - gradOutput: [batch, outChannels, outHeight, outWidth]
/// - gradInput: [batch, inChannels, height, width], overwritten; nil skips it
/// - gradWeight: [outChannels, inChannels / groups, kernelHeight, kernelWidth], accumulated (+=)
/// - gradBias: [outChannels], accumulated (+=); nil when there is no bias
public func conv2dShiftedRowsBackward(
  input: UnsafePointer<Float>, weight: UnsafePointer<Float>, gradOutput: UnsafePointer<Float>,
  gradInput: UnsafeMutablePointer<Float>?, gradWeight: UnsafeMutablePointer<Float>,
  gradBias: UnsafeMutablePointer<Float>?, geometry g: Conv2dGeometry,
  workspace: Conv2dWorkspace, imagesPerChunk: Int
) {
  precondition(g.supportsShiftedRows, "shifted rows cannot compute \(g)")
  if let gradBias {
    conv2dBiasBackward(gradOutput: gradOutput, gradBias: gradBias, batch: g.batch,
                       channels: g.outChannels, plane: g.outputPlane)
  }
  let chunk = max(1, min(imagesPerChunk, g.batch))
  let forwardFull = g.forwardLayout(imageCount: chunk)
  let transposedFull = g.transposedLayout(imageCount: chunk)
  let outPerGroup = g.outChannelsPerGroup
  let inPerGroup = g.inChannelsPerGroup
  // dY in the global-row layout comes free from the transposed planes when Wo = W (see top).
  let gradientFromPlanes = gradInput != nil && g.outWidth == g.width
  let gatheredFloats = chunk == 1 || gradientFromPlanes ? 0 : outPerGroup * forwardFull.outputColumns

  // Scratch: weight-gradient taps, flipped taps, x planes, gathered dY, dY planes, dX result.
  let planeFloats = forwardFull.planeCount * forwardFull.planeLength
  let transposedPlaneFloats = gradInput == nil ? 0 : transposedFull.planeCount * transposedFull.planeLength
  let gradInputFloats = gradInput == nil || chunk == 1 ? 0 : inPerGroup * transposedFull.outputColumns
  let gradTaps = workspace.floats(2 * g.weightCount + planeFloats + gatheredFloats
                                  + transposedPlaneFloats + gradInputFloats)
  let flippedTaps = gradTaps + g.weightCount
  let planes = flippedTaps + g.weightCount
  let gathered = planes + planeFloats
  let transposedPlanes = gathered + gatheredFloats
  let gradInputResult = transposedPlanes + transposedPlaneFloats
  gradTaps.update(repeating: 0, count: g.weightCount)
  if gradInput != nil { repackFlippedWeightByKernelRow(weight, into: flippedTaps, geometry: g) }
  let tapColumns = forwardFull.planeCount
  let flippedTapColumns = transposedFull.planeCount

  for firstImage in stride(from: 0, to: g.batch, by: chunk) {
    let count = min(chunk, g.batch - firstImage)
    let layout = g.forwardLayout(imageCount: count)
    let transposed = g.transposedLayout(imageCount: count)
    for group in 0..<g.groups {
      let groupGradOutput = gradOutput
        + (firstImage * g.outChannels + group * outPerGroup) * g.outputPlane
      // The output gradient as [outC/g, G·Wo] with zero rows between images.
      var gradRows = UnsafePointer(gathered)
      var gradRowsStride = layout.outputColumns
      if let gradInput {
        packShiftedRows(source: groupGradOutput, imageStride: g.outChannels * g.outputPlane,
                        layout: transposed, planes: transposedPlanes)
        let inPlace = count == 1
        let destination = inPlace
          ? gradInput + (firstImage * g.inChannels + group * inPerGroup) * g.inputPlane
          : gradInputResult
        for kernelRow in 0..<g.kernelHeight {
          sgemm(.none, .none, m: inPerGroup, n: transposed.outputColumns, k: flippedTapColumns,
                a: flippedTaps + (kernelRow * g.inChannels + group * inPerGroup) * flippedTapColumns,
                lda: flippedTapColumns,
                b: transposedPlanes + kernelRow * transposed.outWidth, ldb: transposed.planeLength,
                beta: kernelRow == 0 ? 0 : 1, c: destination, ldc: transposed.outputColumns)
        }
        if !inPlace {
          scatterImagePlanes(
            gradInputResult, layout: transposed, channels: inPerGroup, plane: g.inputPlane,
            into: gradInput + (firstImage * g.inChannels + group * inPerGroup) * g.inputPlane,
            imageStride: g.inChannels * g.inputPlane, bias: nil)
        }
        if gradientFromPlanes {
          // Plane (o, kj = kw−1−pw) is dY unshifted; its rows start ph' = kh−1−ph rows down.
          gradRows = UnsafePointer(transposedPlanes + (g.kernelWidth - 1 - g.paddingWidth)
            * transposed.planeLength + transposed.paddingTop * transposed.outWidth)
          gradRowsStride = g.kernelWidth * transposed.planeLength
        }
      }
      if !gradientFromPlanes {
        if count == 1 {
          gradRows = groupGradOutput
        } else {
          gatherImagePlanes(groupGradOutput, imageStride: g.outChannels * g.outputPlane,
                            layout: layout, channels: outPerGroup, plane: g.outputPlane,
                            into: gathered)
        }
      }

      packShiftedRows(
        source: input + (firstImage * g.inChannels + group * inPerGroup) * g.inputPlane,
        imageStride: g.inChannels * g.inputPlane, layout: layout, planes: planes)
      for kernelRow in 0..<g.kernelHeight {
        sgemm(.none, .transposed, m: outPerGroup, n: tapColumns, k: layout.outputColumns,
              a: gradRows, lda: gradRowsStride,
              b: planes + kernelRow * layout.outWidth, ldb: layout.planeLength,
              beta: 1, c: gradTaps + (kernelRow * g.outChannels + group * outPerGroup) * tapColumns,
              ldc: tapColumns)
      }
    }
  }
  addTapGradients(gradTaps, into: gradWeight, geometry: g)
}

// MARK: - Weight layout

/// W_ki [outC, C/g·kw] = W[o, c, ki, kj] at column c·kw + kj, stored [kh, outC, C/g·kw].
private func repackWeightByKernelRow(
  _ weight: UnsafePointer<Float>, into taps: UnsafeMutablePointer<Float>, geometry g: Conv2dGeometry
) {
  let (kh, kw, columns) = (g.kernelHeight, g.kernelWidth, g.inChannelsPerGroup * g.kernelWidth)
  parallelFor(g.outChannels) { o in
    for c in 0..<g.inChannelsPerGroup {
      for ki in 0..<kh {
        let from = weight + ((o * g.inChannelsPerGroup + c) * kh + ki) * kw
        let to = taps + (ki * g.outChannels + o) * columns + c * kw
        for kj in 0..<kw { to[kj] = from[kj] }
      }
    }
  }
}

/// The input-gradient kernel, stored [kh, inC, outC/g·kw]: row ki, input channel c (of group
/// gr), column o·kw + kj holds W[gr·outC/g + o, c, kh−1−ki, kw−1−kj].
private func repackFlippedWeightByKernelRow(
  _ weight: UnsafePointer<Float>, into taps: UnsafeMutablePointer<Float>, geometry g: Conv2dGeometry
) {
  let (kh, kw) = (g.kernelHeight, g.kernelWidth)
  let columns = g.outChannelsPerGroup * kw
  parallelFor(g.outChannels) { o in
    let group = o / g.outChannelsPerGroup
    let localOut = o % g.outChannelsPerGroup
    for c in 0..<g.inChannelsPerGroup {
      let inChannel = group * g.inChannelsPerGroup + c
      for ki in 0..<kh {
        let from = weight + ((o * g.inChannelsPerGroup + c) * kh + (kh - 1 - ki)) * kw
        let to = taps + (ki * g.inChannels + inChannel) * columns + localOut * kw
        for kj in 0..<kw { to[kj] = from[kw - 1 - kj] }
      }
    }
  }
}

/// gradWeight[o, c, ki, kj] += gradTaps[ki, o, c·kw + kj] (the inverse of the forward repack).
private func addTapGradients(
  _ gradTaps: UnsafePointer<Float>, into gradWeight: UnsafeMutablePointer<Float>,
  geometry g: Conv2dGeometry
) {
  let (kh, kw, columns) = (g.kernelHeight, g.kernelWidth, g.inChannelsPerGroup * g.kernelWidth)
  parallelFor(g.outChannels) { o in
    for c in 0..<g.inChannelsPerGroup {
      for ki in 0..<kh {
        let to = gradWeight + ((o * g.inChannelsPerGroup + c) * kh + ki) * kw
        let from = gradTaps + (ki * g.outChannels + o) * columns + c * kw
        for kj in 0..<kw { to[kj] += from[kj] }
      }
    }
  }
}
