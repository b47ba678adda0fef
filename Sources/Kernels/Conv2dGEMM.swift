// General grouped convolution as im2col + sgemm, forward and backward.
//
// Images are processed in chunks: im2col packs a chunk into columns [K, chunk · Ho·Wo]
// (K = C/g · kh · kw), so one GEMM per group convolves the whole chunk with a wide N dimension,
// which thin layers (few output channels, small maps) need to approach the sgemm rate; the chunk
// also bounds the workspace, which a whole-batch im2col would not.
//
// Two layouts make copies unnecessary:
//   - a chunk of one image: the GEMM's [outC/g, Ho·Wo] result *is* the image's group of NCHW
//     output planes, so it is written (and, backward, read) in place;
//   - a 1×1 stride-1 unpadded kernel on one image: the input planes *are* the column matrix, so
//     sgemm reads the input and writes the input gradient directly (as `pointwiseDirect`
//     does, which also splits the images between workers: Conv2dPointwise.swift).
//
// Workspace: columns [K, chunk · Ho·Wo] followed by the chunk's output (or output gradient)
// gathered as [outC/g, chunk · Ho·Wo]. Backward recomputes im2col instead of storing it.

extension Conv2dGeometry {
  /// Images per GEMM chunk for the im2col path: about `targetColumns` GEMM columns, at most the
  /// batch, with the column buffer held to `maximumColumnFloats`.
  ///
  /// 8192 columns is where the baseline measured its best thin-shape rate (8 images of 32×32).
  public func defaultImagesPerChunk(
    targetColumns: Int = 8192, maximumColumnFloats: Int = 8 << 20
  ) -> Int {
    let byWidth = targetColumns / outputPlane
    let byMemory = maximumColumnFloats / (columnRows * outputPlane)
    return max(1, min(batch, byWidth, byMemory))
  }
}

/// Forward convolution through im2col + sgemm, for any geometry (groups, strides, padding).
///
/// - input: [batch, inChannels, height, width]
/// - weight: [outChannels, inChannels / groups, kernelHeight, kernelWidth]
/// - bias: [outChannels] or nil
/// - output: [batch, outChannels, outHeight, outWidth], overwritten
/// - imagesPerChunk: images packed per GEMM (`defaultImagesPerChunk()`; 1 for the pointwise
///   direct path)
public func conv2dGEMMForward(
  input: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
  output: UnsafeMutablePointer<Float>, geometry g: Conv2dGeometry,
  workspace: Conv2dWorkspace, imagesPerChunk: Int
) {
  let chunk = max(1, min(imagesPerChunk, g.batch))
  let K = g.columnRows
  let outPerGroup = g.outChannelsPerGroup
  let (columnBuffer, resultBuffer) = chunkBuffers(g, chunk: chunk, workspace: workspace)

  for firstImage in stride(from: 0, to: g.batch, by: chunk) {
    let imageCount = min(chunk, g.batch - firstImage)
    let width = imageCount * g.outputPlane
    for group in 0..<g.groups {
      let columns = packedColumns(
        input: input, geometry: g, group: group, firstImage: firstImage,
        imageCount: imageCount, buffer: columnBuffer)
      let groupWeight = weight + group * outPerGroup * K
      if imageCount == 1 {
        let planes = output + (firstImage * g.outChannels + group * outPerGroup) * g.outputPlane
        sgemm(.none, .none, m: outPerGroup, n: width, k: K,
              a: groupWeight, lda: K, b: columns, ldb: width, c: planes, ldc: width)
      } else {
        sgemm(.none, .none, m: outPerGroup, n: width, k: K,
              a: groupWeight, lda: K, b: columns, ldb: width, c: resultBuffer, ldc: width)
        scatterChunk(
          resultBuffer, into: output, bias: bias.map { $0 + group * outPerGroup },
          geometry: g, group: group, firstImage: firstImage, imageCount: imageCount)
      }
    }
    if imageCount == 1, let bias {
      conv2dAddBias(bias, to: output, firstImage: firstImage, imageCount: 1,
                    channels: g.outChannels, plane: g.outputPlane)
    }
  }
}

/// Backward of `conv2dGEMMForward`.
///
/// - input, weight: as in the forward pass
/// - gradOutput: [batch, outChannels, outHeight, outWidth]
/// - gradInput: [batch, inChannels, height, width], overwritten; nil skips it (a first layer)
/// - gradWeight: [outChannels, inChannels / groups, kernelHeight, kernelWidth], accumulated (+=)
/// - gradBias: [outChannels], accumulated (+=); nil when the convolution has no bias
public func conv2dGEMMBackward(
  input: UnsafePointer<Float>, weight: UnsafePointer<Float>, gradOutput: UnsafePointer<Float>,
  gradInput: UnsafeMutablePointer<Float>?, gradWeight: UnsafeMutablePointer<Float>,
  gradBias: UnsafeMutablePointer<Float>?, geometry g: Conv2dGeometry,
  workspace: Conv2dWorkspace, imagesPerChunk: Int
) {
  if let gradBias {
    conv2dBiasBackward(gradOutput: gradOutput, gradBias: gradBias, batch: g.batch,
                       channels: g.outChannels, plane: g.outputPlane)
  }
  let chunk = max(1, min(imagesPerChunk, g.batch))
  let K = g.columnRows
  let outPerGroup = g.outChannelsPerGroup
  let (columnBuffer, gradOutputBuffer) = chunkBuffers(g, chunk: chunk, workspace: workspace)

  for firstImage in stride(from: 0, to: g.batch, by: chunk) {
    let imageCount = min(chunk, g.batch - firstImage)
    let width = imageCount * g.outputPlane
    for group in 0..<g.groups {
      let columns = packedColumns(
        input: input, geometry: g, group: group, firstImage: firstImage,
        imageCount: imageCount, buffer: columnBuffer)
      let groupGradOutput: UnsafePointer<Float>
      if imageCount == 1 {
        groupGradOutput = gradOutput
          + (firstImage * g.outChannels + group * outPerGroup) * g.outputPlane
      } else {
        gatherChunk(gradOutput, into: gradOutputBuffer, geometry: g, group: group,
                    firstImage: firstImage, imageCount: imageCount)
        groupGradOutput = UnsafePointer(gradOutputBuffer)
      }
      let groupWeight = weight + group * outPerGroup * K

      // dW_g [outC/g, K] += dY_g [outC/g, width] · columnsᵀ [width, K]
      sgemm(.none, .transposed, m: outPerGroup, n: K, k: width,
            a: groupGradOutput, lda: width, b: columns, ldb: width,
            beta: 1, c: gradWeight + group * outPerGroup * K, ldc: K)

      guard let gradInput else { continue }
      // dColumns [K, width] = W_gᵀ [K, outC/g] · dY_g [outC/g, width], then col2im. The
      // columns are no longer needed, so their buffer takes the gradient.
      let inputPlanes = gradInput
        + (firstImage * g.inChannels + group * g.inChannelsPerGroup) * g.inputPlane
      let writesInPlace = g.isPointwise && imageCount == 1
      let gradColumns = writesInPlace ? inputPlanes : columnBuffer
      sgemm(.transposed, .none, m: K, n: width, k: outPerGroup,
            a: groupWeight, lda: K, b: groupGradOutput, ldb: width,
            c: gradColumns, ldc: width)
      if !writesInPlace {
        col2im(columns: columnBuffer, geometry: g, group: group, firstImage: firstImage,
               imageCount: imageCount, gradInput: gradInput)
      }
    }
  }
}

/// Splits the workspace into the column buffer [K, chunk · Ho·Wo] and the gathered output
/// buffer [outC/g, chunk · Ho·Wo], sized only for what this chunking uses: a one-image chunk
/// needs no gathered output, and a pointwise one-image chunk needs no columns either.
private func chunkBuffers(
  _ g: Conv2dGeometry, chunk: Int, workspace: Conv2dWorkspace
) -> (columns: UnsafeMutablePointer<Float>, gathered: UnsafeMutablePointer<Float>) {
  let width = chunk * g.outputPlane
  let columnFloats = g.isPointwise && chunk == 1 ? 0 : g.columnRows * width
  let gatheredFloats = chunk == 1 ? 0 : g.outChannelsPerGroup * width
  let scratch = workspace.floats(columnFloats + gatheredFloats)
  return (scratch, scratch + columnFloats)
}

/// The column matrix of a chunk for one group: the input itself for a pointwise kernel on one
/// image, else `buffer` filled by im2col.
private func packedColumns(
  input: UnsafePointer<Float>, geometry g: Conv2dGeometry, group: Int,
  firstImage: Int, imageCount: Int, buffer: UnsafeMutablePointer<Float>
) -> UnsafePointer<Float> {
  if g.isPointwise && imageCount == 1 {
    return input + (firstImage * g.inChannels + group * g.inChannelsPerGroup) * g.inputPlane
  }
  im2col(input: input, geometry: g, group: group, firstImage: firstImage,
         imageCount: imageCount, columns: buffer)
  return UnsafePointer(buffer)
}

/// Copies a group's GEMM result [outC/g, imageCount · Ho·Wo] into its NCHW output planes,
/// adding the bias on the way (one pass over the data instead of two).
///
/// - bias: this group's [outC/g] slice, or nil
private func scatterChunk(
  _ result: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>,
  bias: UnsafePointer<Float>?, geometry g: Conv2dGeometry, group: Int,
  firstImage: Int, imageCount: Int
) {
  let outPerGroup = g.outChannelsPerGroup
  let plane = g.outputPlane
  let rowLength = imageCount * plane
  parallelChunks(imageCount * outPerGroup, minimumChunk: max(1, 16384 / plane)) { range in
    for task in range {
      let image = task / outPerGroup
      let channel = task % outPerGroup
      let source = result + channel * rowLength + image * plane
      let destination = output
        + ((firstImage + image) * g.outChannels + group * outPerGroup + channel) * plane
      if let bias {
        let b = bias[channel]
        for i in 0..<plane { destination[i] = source[i] + b }
      } else {
        destination.update(from: source, count: plane)
      }
    }
  }
}

/// Copies a group's NCHW output-gradient planes for a chunk into [outC/g, imageCount · Ho·Wo],
/// the layout `scatterChunk` reads from: the inverse copy.
private func gatherChunk(
  _ gradOutput: UnsafePointer<Float>, into buffer: UnsafeMutablePointer<Float>,
  geometry g: Conv2dGeometry, group: Int, firstImage: Int, imageCount: Int
) {
  let outPerGroup = g.outChannelsPerGroup
  let plane = g.outputPlane
  let rowLength = imageCount * plane
  parallelChunks(imageCount * outPerGroup, minimumChunk: max(1, 16384 / plane)) { range in
    for task in range {
      let image = task / outPerGroup
      let channel = task % outPerGroup
      let source = gradOutput
        + ((firstImage + image) * g.outChannels + group * outPerGroup + channel) * plane
      (buffer + channel * rowLength + image * plane).update(from: source, count: plane)
    }
  }
}
