// Moving tiles between NCHW planes and the transformed layouts of the Winograd convolution
// (Conv2dWinograd.swift), eight tiles per SIMD lane block.
//
// Transformed layouts, for the tiles t of one chunk of images (`WinogradTiling`):
//
//   V  [36, inChannels,  tiling.stride]   input tiles,   V[ξ, c, t]  = (Bᵀ d B)[ξ]
//   M  [36, outChannels, tiling.stride]   products,      M[ξ, k, t]  = Σ_c U[ξ, k, c] · V[ξ, c, t]
//   U  [36, outChannels, inChannels]      kernels,       U[ξ, k, c]  = (G g Gᵀ)[ξ]
//
// so that for each point ξ the products are one GEMM, M[ξ] = U[ξ] · V[ξ]. A lane block is eight
// consecutive t of one channel (stored with one vector store per point); the lanes past the
// chunk's last tile hold zeros in V and are never written back.

/// The 4×4 output tiles of a chunk of images. Tile t is tile t % tilesPerImage, in row-major
/// order, of image `firstImage + t / tilesPerImage`.
struct WinogradTiling {
  let geometry: Conv2dGeometry
  let firstImage: Int
  let imageCount: Int
  let tileColumns: Int
  let tilesPerImage: Int

  init(_ geometry: Conv2dGeometry, firstImage: Int, imageCount: Int) {
    self.geometry = geometry
    self.firstImage = firstImage
    self.imageCount = imageCount
    tileColumns = (geometry.outWidth + 3) / 4
    tilesPerImage = (geometry.outHeight + 3) / 4 * tileColumns
  }

  /// Tiles in the chunk.
  var count: Int { imageCount * tilesPerImage }
  /// Row stride of the transformed layouts: `count` rounded up to whole lane blocks.
  var stride: Int { (count + winogradLaneCount - 1) / winogradLaneCount * winogradLaneCount }
  var laneBlocks: Int { stride / winogradLaneCount }

  /// Image (within the chunk) and top-left output pixel of tile `t`.
  @inline(__always)
  func origin(_ t: Int) -> (image: Int, row: Int, column: Int) {
    let (image, tile) = t.quotientAndRemainder(dividingBy: tilesPerImage)
    let (row, column) = tile.quotientAndRemainder(dividingBy: tileColumns)
    return (image, 4 * row, 4 * column)
  }
}

/// A lane block's tile, one Float per lane: element e of lane l at [e · 8 + l].
@inline(__always)
private func laneElement(_ tile: UnsafeMutablePointer<WinogradLanes>, _ element: Int, _ lane: Int)
  -> UnsafeMutablePointer<Float> {
  UnsafeMutableRawPointer(tile + element).assumingMemoryBound(to: Float.self) + lane
}

/// Runs `body(channel, firstTile, lanes)` for every lane block of `tiling` in every channel of
/// `0..<channels`, blocks in order within a channel; the channels are split between the workers,
/// and each worker's `lanes` is its own scratch of `scratchLanes` vectors.
@inline(__always)
private func forEachLaneBlock(
  channels: Int, tiling: WinogradTiling, scratchLanes: Int,
  _ body: (_ channel: Int, _ firstTile: Int, _ lanes: UnsafeMutablePointer<WinogradLanes>) -> Void
) {
  parallelChunks(channels) { range in
    withUnsafeTemporaryAllocation(of: WinogradLanes.self, capacity: scratchLanes) { buffer in
      for channel in range {
        for block in 0..<tiling.laneBlocks {
          body(channel, block * winogradLaneCount, buffer.baseAddress!)
        }
      }
    }
  }
}

/// Copies the size×size window at (top, left) of a plane into lane `lane` of `tile`, zero
/// outside the plane.
@inline(__always)
private func gatherWindow(
  _ plane: UnsafePointer<Float>, height: Int, width: Int, top: Int, left: Int, size: Int,
  into tile: UnsafeMutablePointer<WinogradLanes>, lane: Int
) {
  if top >= 0, left >= 0, top + size <= height, left + size <= width {
    for r in 0..<size {
      let row = plane + (top + r) * width + left
      for s in 0..<size { laneElement(tile, r * size + s, lane).pointee = row[s] }
    }
    return
  }
  for r in 0..<size {
    let y = top + r
    for s in 0..<size {
      let x = left + s
      let inside = y >= 0 && y < height && x >= 0 && x < width
      laneElement(tile, r * size + s, lane).pointee = inside ? plane[y * width + x] : 0
    }
  }
}

/// Fills the lanes of `tile` with the size×size windows of tiles first..<first + 8 in channel
/// `channel` of `planes` ([imageCount, channels, height, width]), each window's top-left corner
/// at its tile's output origin minus `shift`; lanes past the chunk's last tile get zeros.
@inline(__always)
private func gatherLaneBlock(
  _ planes: UnsafePointer<Float>, channels: Int, channel: Int, height: Int, width: Int,
  shift: (rows: Int, columns: Int), size: Int, tiling: WinogradTiling, first: Int,
  into tile: UnsafeMutablePointer<WinogradLanes>
) {
  for lane in 0..<winogradLaneCount {
    let t = first + lane
    guard t < tiling.count else {
      for e in 0..<size * size { laneElement(tile, e, lane).pointee = 0 }
      continue
    }
    let (image, row, column) = tiling.origin(t)
    gatherWindow(planes + (image * channels + channel) * height * width, height: height,
                 width: width, top: row - shift.rows, left: column - shift.columns, size: size,
                 into: tile, lane: lane)
  }
}

/// V = Bᵀ d B for every tile of `tiling` and every input channel.
///
/// - input: the chunk's first image, [imageCount, inChannels, height, width]
/// - transformed: V, [36, inChannels, tiling.stride]
func winogradGatherInput(
  _ input: UnsafePointer<Float>, tiling: WinogradTiling,
  into transformed: UnsafeMutablePointer<Float>
) {
  let g = tiling.geometry
  let (input, transformed) = (UncheckedSendable(input), UncheckedSendable(transformed))
  let pointStride = g.inChannels * tiling.stride
  forEachLaneBlock(channels: g.inChannels, tiling: tiling, scratchLanes: winogradPoints) {
    c, first, tile in
    gatherLaneBlock(input.value, channels: g.inChannels, channel: c, height: g.height,
                    width: g.width, shift: (g.paddingHeight, g.paddingWidth), size: 6,
                    tiling: tiling, first: first, into: tile)
    winogradTransformInputTile(tile)
    let destination = transformed.value + c * tiling.stride + first
    for e in 0..<winogradPoints { storeSIMD(tile[e], destination + e * pointStride) }
  }
}

/// dM = A dY Aᵀ for every tile of `tiling` and every output channel.
///
/// - gradOutput: the chunk's first image, [imageCount, outChannels, outHeight, outWidth]
/// - transformed: dM, [36, outChannels, tiling.stride]
func winogradGatherOutputGradient(
  _ gradOutput: UnsafePointer<Float>, tiling: WinogradTiling,
  into transformed: UnsafeMutablePointer<Float>
) {
  let g = tiling.geometry
  let (gradOutput, transformed) = (UncheckedSendable(gradOutput), UncheckedSendable(transformed))
  let pointStride = g.outChannels * tiling.stride
  forEachLaneBlock(channels: g.outChannels, tiling: tiling, scratchLanes: 16 + 24 + winogradPoints) {
    k, first, lanes in
    let (gradient, scratch, tile) = (lanes, lanes + 16, lanes + 40)
    gatherLaneBlock(gradOutput.value, channels: g.outChannels, channel: k, height: g.outHeight,
                    width: g.outWidth, shift: (0, 0), size: 4, tiling: tiling, first: first,
                    into: gradient)
    winogradTransformOutputGradientTile(gradient, into: tile, scratch: scratch)
    let destination = transformed.value + k * tiling.stride + first
    for e in 0..<winogradPoints { storeSIMD(tile[e], destination + e * pointStride) }
  }
}

/// Y = Aᵀ M A (+ bias) for every tile of `tiling` and every output channel, written into the
/// output planes (tiles do not overlap; the parts of edge tiles beyond the plane are dropped).
///
/// - products: M, [36, outChannels, tiling.stride]
/// - output: the chunk's first image, [imageCount, outChannels, outHeight, outWidth]
func winogradScatterOutput(
  _ products: UnsafePointer<Float>, bias: UnsafePointer<Float>?, tiling: WinogradTiling,
  into output: UnsafeMutablePointer<Float>
) {
  let g = tiling.geometry
  let (products, output) = (UncheckedSendable(products), UncheckedSendable(output))
  let bias = UncheckedSendable(bias)
  let pointStride = g.outChannels * tiling.stride
  forEachLaneBlock(channels: g.outChannels, tiling: tiling, scratchLanes: winogradPoints + 24 + 16) {
    k, first, lanes in
    let (tile, scratch, result) = (lanes, lanes + 36, lanes + 60)
    let offset = bias.value.map { $0[k] } ?? 0
    let source = products.value + k * tiling.stride + first
    for e in 0..<winogradPoints { tile[e] = loadSIMD(source + e * pointStride) }
    winogradTransformOutputTile(tile, into: result, scratch: scratch)
    for lane in 0..<min(winogradLaneCount, tiling.count - first) {
      let (image, row, column) = tiling.origin(first + lane)
      let plane = output.value + (image * g.outChannels + k) * g.outputPlane
      for r in 0..<min(4, g.outHeight - row) {
        let destination = plane + (row + r) * g.outWidth + column
        for s in 0..<min(4, g.outWidth - column) {
          destination[s] = laneElement(result, 4 * r + s, lane).pointee + offset
        }
      }
    }
  }
}

/// dd = B dV Bᵀ for every tile of `tiling`, summed into freshly zeroed input-gradient planes
/// (input tiles overlap by two rows and columns). Each channel's planes belong to one worker and
/// its tiles are added in a fixed order, so the sums do not depend on the thread count.
///
/// - gradients: dV, [36, inChannels, tiling.stride]
/// - gradInput: the chunk's first image, [imageCount, inChannels, height, width], overwritten
func winogradScatterInputGradient(
  _ gradients: UnsafePointer<Float>, tiling: WinogradTiling,
  into gradInput: UnsafeMutablePointer<Float>
) {
  let g = tiling.geometry
  let (gradients, gradInput) = (UncheckedSendable(gradients), UncheckedSendable(gradInput))
  let pointStride = g.inChannels * tiling.stride
  forEachLaneBlock(channels: g.inChannels, tiling: tiling, scratchLanes: winogradPoints) {
    c, first, tile in
    if first == 0 {
      for image in 0..<tiling.imageCount {
        (gradInput.value + (image * g.inChannels + c) * g.inputPlane)
          .initialize(repeating: 0, count: g.inputPlane)
      }
    }
    let source = gradients.value + c * tiling.stride + first
    for e in 0..<winogradPoints { tile[e] = loadSIMD(source + e * pointStride) }
    winogradTransformInputGradientTile(tile)
    for lane in 0..<min(winogradLaneCount, tiling.count - first) {
      let (image, row, column) = tiling.origin(first + lane)
      let plane = gradInput.value + (image * g.inChannels + c) * g.inputPlane
      let (top, left) = (row - g.paddingHeight, column - g.paddingWidth)
      for r in max(0, -top)..<min(6, g.height - top) {
        let destination = plane + (top + r) * g.width + left
        for s in max(0, -left)..<min(6, g.width - left) {
          destination[s] += laneElement(tile, 6 * r + s, lane).pointee
        }
      }
    }
  }
}
