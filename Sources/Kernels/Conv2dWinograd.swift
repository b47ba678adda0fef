// 3×3 stride-1 convolution by Winograd's minimal filtering F(4×4, 3×3), forward and backward.
//
// Each 4×4 block of output comes from the 6×6 input tile under it with 36 multiplications per
// channel pair instead of 144 (WinogradTransforms.swift), and the multiplications of all tiles
// and channels at one of the 36 points ξ form one GEMM:
//
//   forward          M[ξ]  [outC, T]  = U[ξ] [outC, inC] · V[ξ] [inC, T]
//   weight gradient  dU[ξ] [outC, inC] += dM[ξ] [outC, T] · V[ξ]ᵀ [T, inC]
//   input gradient   dV[ξ] [inC, T]   = U[ξ]ᵀ [inC, outC] · dM[ξ] [outC, T]
//
// over the T tiles of a chunk of images, with the tile transforms before and after
// (Conv2dWinogradTiles.swift). That is 4× fewer multiply-accumulates than the direct
// convolution on 4×4-divisible maps, for transforms that cost a few additions per value; the
// 36 GEMMs of a point set are independent, so the workers take whole GEMMs each (single-threaded
// BLAS, no split of one product and no synchronisation inside it).
//
// Float rounding: the transforms scale values by up to 8 and 1/24, so results differ from a
// direct convolution by a few units in the last place more (relative error ~1e-6 on unit data),
// which is what cuDNN and NNPACK's F(4×4, 3×3) give too.

extension Conv2dGeometry {
  /// Whether `Conv2dAlgorithm.winograd` computes this geometry: a dense 3×3 kernel at stride 1
  /// (any padding up to 2: the input gradient then stays inside the tiles' windows).
  public var supportsWinograd: Bool {
    kernelHeight == 3 && kernelWidth == 3 && strideHeight == 1 && strideWidth == 1
      && groups == 1 && paddingHeight <= 2 && paddingWidth <= 2
  }

  /// Images per chunk for the Winograd path: the transformed tiles of a chunk (V and M, or dM)
  /// held to about `maximumFloats`.
  public func defaultWinogradImagesPerChunk(maximumFloats: Int = 3 << 20) -> Int {
    let tiles = (outHeight + 3) / 4 * ((outWidth + 3) / 4)
    let floatsPerImage = winogradPoints * (inChannels + outChannels) * tiles
    return max(1, min(batch, maximumFloats / floatsPerImage))
  }
}

/// Forward Winograd convolution (see `supportsWinograd`).
///
/// - input: [batch, inChannels, height, width]
/// - weight: [outChannels, inChannels, 3, 3]
/// - bias: [outChannels] or nil
/// - output: [batch, outChannels, outHeight, outWidth], overwritten
/// - imagesPerChunk: images per set of GEMMs (`defaultWinogradImagesPerChunk()`)
public func conv2dWinogradForward(
  input: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
  output: UnsafeMutablePointer<Float>, geometry g: Conv2dGeometry,
  workspace: Conv2dWorkspace, imagesPerChunk: Int
) {
  precondition(g.supportsWinograd, "Winograd F(4×4, 3×3) cannot compute \(g)")
  let chunk = max(1, min(imagesPerChunk, g.batch))
  let scratch = WinogradScratch(g, imagesPerChunk: chunk, backward: false, workspace: workspace)
  winogradTransformWeights(weight, geometry: g, into: scratch.kernels)
  for firstImage in stride(from: 0, to: g.batch, by: chunk) {
    let tiling = WinogradTiling(g, firstImage: firstImage,
                                imageCount: min(chunk, g.batch - firstImage))
    winogradGatherInput(input + firstImage * g.inChannels * g.inputPlane, tiling: tiling,
                        into: scratch.tiles)
    winogradPointProducts { point in
      sgemm(.none, .none, m: g.outChannels, n: tiling.count, k: g.inChannels,
            a: scratch.kernels + point * g.outChannels * g.inChannels, lda: g.inChannels,
            b: scratch.tiles + point * g.inChannels * tiling.stride, ldb: tiling.stride,
            c: scratch.products + point * g.outChannels * tiling.stride, ldc: tiling.stride)
    }
    winogradScatterOutput(scratch.products, bias: bias, tiling: tiling,
                          into: output + firstImage * g.outChannels * g.outputPlane)
  }
}

/// Backward of `conv2dWinogradForward`.
///
/// - input, weight: as in the forward pass
/// - gradOutput: [batch, outChannels, outHeight, outWidth]
/// - gradInput: [batch, inChannels, height, width], overwritten; nil skips it
/// - gradWeight: [outChannels, inChannels, 3, 3], accumulated (+=)
/// - gradBias: [outChannels], accumulated (+=); nil when there is no bias
public func conv2dWinogradBackward(
  input: UnsafePointer<Float>, weight: UnsafePointer<Float>, gradOutput: UnsafePointer<Float>,
  gradInput: UnsafeMutablePointer<Float>?, gradWeight: UnsafeMutablePointer<Float>,
  gradBias: UnsafeMutablePointer<Float>?, geometry g: Conv2dGeometry,
  workspace: Conv2dWorkspace, imagesPerChunk: Int
) {
  precondition(g.supportsWinograd, "Winograd F(4×4, 3×3) cannot compute \(g)")
  if let gradBias {
    conv2dBiasBackward(gradOutput: gradOutput, gradBias: gradBias, batch: g.batch,
                       channels: g.outChannels, plane: g.outputPlane)
  }
  let chunk = max(1, min(imagesPerChunk, g.batch))
  let scratch = WinogradScratch(g, imagesPerChunk: chunk, backward: true, workspace: workspace)
  if gradInput != nil { winogradTransformWeights(weight, geometry: g, into: scratch.kernels) }
  let pairs = g.outChannels * g.inChannels
  for firstImage in stride(from: 0, to: g.batch, by: chunk) {
    let tiling = WinogradTiling(g, firstImage: firstImage,
                                imageCount: min(chunk, g.batch - firstImage))
    winogradGatherOutputGradient(gradOutput + firstImage * g.outChannels * g.outputPlane,
                                 tiling: tiling, into: scratch.products)
    winogradGatherInput(input + firstImage * g.inChannels * g.inputPlane, tiling: tiling,
                        into: scratch.tiles)
    let accumulate: Float = firstImage == 0 ? 0 : 1
    winogradPointProducts { point in
      let dM = scratch.products + point * g.outChannels * tiling.stride
      sgemm(.none, .transposed, m: g.outChannels, n: g.inChannels, k: tiling.count,
            a: dM, lda: tiling.stride,
            b: scratch.tiles + point * g.inChannels * tiling.stride, ldb: tiling.stride,
            beta: accumulate, c: scratch.kernelGradients + point * pairs, ldc: g.inChannels)
      guard gradInput != nil else { return }
      // V[ξ] has been used; its rows take dV[ξ].
      sgemm(.transposed, .none, m: g.inChannels, n: tiling.count, k: g.outChannels,
            a: scratch.kernels + point * pairs, lda: g.inChannels, b: dM, ldb: tiling.stride,
            c: scratch.tiles + point * g.inChannels * tiling.stride, ldc: tiling.stride)
    }
    if let gradInput {
      winogradScatterInputGradient(scratch.tiles, tiling: tiling,
                                   into: gradInput + firstImage * g.inChannels * g.inputPlane)
    }
  }
  winogradAccumulateWeightGradient(scratch.kernelGradients, geometry: g, into: gradWeight)
}

/// Runs `body(ξ)` for the 36 points, whole GEMMs per worker with single-threaded BLAS. Each
/// point's products belong to one worker, so the results do not depend on the thread count.
private func winogradPointProducts(_ body: (Int) -> Void) {
  let workers = min(Threading.threadCount, winogradPoints)
  parallelWorkersWithSerialBLAS(workers) { worker in
    for point in (winogradPoints * worker / workers)..<(winogradPoints * (worker + 1) / workers) {
      body(point)
    }
  }
}

/// The Winograd buffers inside the convolution workspace, each starting on a 64-byte boundary.
private struct WinogradScratch {
  /// U: [36, outC, inC]
  let kernels: UnsafeMutablePointer<Float>
  /// V, then dV in the backward pass: [36, inC, stride]
  let tiles: UnsafeMutablePointer<Float>
  /// M, or dM in the backward pass: [36, outC, stride]
  let products: UnsafeMutablePointer<Float>
  /// dU (backward only): [36, outC, inC]
  let kernelGradients: UnsafeMutablePointer<Float>

  init(_ g: Conv2dGeometry, imagesPerChunk: Int, backward: Bool, workspace: Conv2dWorkspace) {
    let stride = WinogradTiling(g, firstImage: 0, imageCount: imagesPerChunk).stride
    func aligned(_ floats: Int) -> Int { (floats + 15) / 16 * 16 }
    let kernelFloats = aligned(winogradPoints * g.outChannels * g.inChannels)
    let tileFloats = aligned(winogradPoints * g.inChannels * stride)
    let productFloats = aligned(winogradPoints * g.outChannels * stride)
    let base = workspace.floats(
      kernelFloats * (backward ? 2 : 1) + tileFloats + productFloats)
    kernels = base
    tiles = base + kernelFloats
    products = tiles + tileFloats
    kernelGradients = products + productFloats
  }
}

/// U = G g Gᵀ for every (output, input) channel pair, eight pairs per lane block.
///
/// - weight: [outChannels, inChannels, 3, 3]
/// - kernels: U, [36, outChannels, inChannels]
func winogradTransformWeights(
  _ weight: UnsafePointer<Float>, geometry g: Conv2dGeometry,
  into kernels: UnsafeMutablePointer<Float>
) {
  let pairs = g.outChannels * g.inChannels
  let (weight, kernels) = (UncheckedSendable(weight), UncheckedSendable(kernels))
  forEachPairBlock(pairs, scratchLanes: 9 + 18 + winogradPoints) { first, lanes, buffer in
    let (kernel, scratch, tile) = (buffer, buffer + 9, buffer + 27)
    for e in 0..<9 {
      var values = WinogradLanes()
      for lane in 0..<lanes { values[lane] = weight.value[(first + lane) * 9 + e] }
      kernel[e] = values
    }
    winogradTransformFilter(kernel, into: tile, scratch: scratch)
    for e in 0..<winogradPoints {
      let destination = kernels.value + e * pairs + first
      if lanes == winogradLaneCount {
        storeSIMD(tile[e], destination)
      } else {
        for lane in 0..<lanes { destination[lane] = tile[e][lane] }
      }
    }
  }
}

/// gradWeight += Gᵀ dU G for every channel pair.
///
/// - kernelGradients: dU, [36, outChannels, inChannels]
/// - gradWeight: [outChannels, inChannels, 3, 3], accumulated (+=)
func winogradAccumulateWeightGradient(
  _ kernelGradients: UnsafePointer<Float>, geometry g: Conv2dGeometry,
  into gradWeight: UnsafeMutablePointer<Float>
) {
  let pairs = g.outChannels * g.inChannels
  let (kernelGradients, gradWeight) = (UncheckedSendable(kernelGradients), UncheckedSendable(gradWeight))
  forEachPairBlock(pairs, scratchLanes: winogradPoints + 18 + 9) { first, lanes, buffer in
    let (tile, scratch, kernel) = (buffer, buffer + 36, buffer + 54)
    for e in 0..<winogradPoints {
      let source = kernelGradients.value + e * pairs + first
      if lanes == winogradLaneCount {
        tile[e] = loadSIMD(source)
      } else {
        var values = WinogradLanes()
        for lane in 0..<lanes { values[lane] = source[lane] }
        tile[e] = values
      }
    }
    winogradTransformFilterGradient(tile, into: kernel, scratch: scratch)
    for lane in 0..<lanes {
      let destination = gradWeight.value + (first + lane) * 9
      for e in 0..<9 { destination[e] += kernel[e][lane] }
    }
  }
}

/// Runs `body(firstPair, lanes, scratch)` for every block of eight consecutive channel pairs
/// (the last one `lanes` < 8 long when the pair count is not a multiple of 8), blocks split
/// between the workers, each with its own `scratchLanes` vectors of scratch.
private func forEachPairBlock(
  _ pairs: Int, scratchLanes: Int,
  _ body: (_ firstPair: Int, _ lanes: Int, _ scratch: UnsafeMutablePointer<WinogradLanes>) -> Void
) {
  let blocks = (pairs + winogradLaneCount - 1) / winogradLaneCount
  parallelChunks(blocks) { range in
    withUnsafeTemporaryAllocation(of: WinogradLanes.self, capacity: scratchLanes) { buffer in
      for block in range {
        let first = block * winogradLaneCount
        body(first, min(winogradLaneCount, pairs - first), buffer.baseAddress!)
      }
    }
  }
}
