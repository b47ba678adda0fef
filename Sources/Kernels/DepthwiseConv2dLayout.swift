/// The plane layouts of the depthwise kernel and the loops over them.
///
/// Any stride becomes stride 1 by splitting the zero-padded input plane [Hp, Wp] into sh·sw
/// *phase planes* [Hq, Wq] (Hq = ⌈Hp/sh⌉, Wq = ⌈Wp/sw⌉):
///
///   phase(a, b)[y, x] = padded[y·sh + a, x·sw + b]
///
/// so tap (ki, kj) of output (oy, ox) reads phase(ki mod sh, kj mod sw)[oy + ki/sh, ox + kj/sw].
/// Storing outputs "wide", at t = oy·Wq + ox, makes that read phased[t + offset(tap)] with one
/// constant offset per tap: every plane is a single branch-free SIMD loop. Each wide row has
/// Wq − Wo junk columns, computed and discarded in the forward pass and zero in gradients.
struct DepthwiseLayout {
  let geometry: Conv2dGeometry
  let paddedHeight: Int
  let paddedWidth: Int
  /// Rows and columns of one phase plane.
  let phaseHeight: Int
  let phaseWidth: Int
  /// Floats from one phase plane to the next: Hq·Wq rounded up to whole 8-float blocks, so a
  /// block never straddles two phases.
  let phaseStride: Int
  /// Floats of a phased-plane buffer: all phases plus zero slack for the last blocks' tap reads.
  let phasedCount: Int
  /// The largest offset of a tap inside its phase plane; the transposed correlation reads
  /// `u − offset`, so gradients get this many zeros in front.
  let margin: Int
  /// The wide output plane [Ho, Wq] rounded up to whole 8-float blocks.
  let wideBlockCount: Int
  /// Floats of a wide-plane buffer: margin, one phase plane, and a block of trailing zeros.
  let wideCount: Int

  init(_ g: Conv2dGeometry) {
    geometry = g
    paddedHeight = g.height + 2 * g.paddingHeight
    paddedWidth = g.width + 2 * g.paddingWidth
    phaseHeight = (paddedHeight + g.strideHeight - 1) / g.strideHeight
    phaseWidth = (paddedWidth + g.strideWidth - 1) / g.strideWidth
    phaseStride = DepthwiseLayout.roundUp(phaseHeight * phaseWidth, to: 8)
    let phases = g.strideHeight * g.strideWidth
    phasedCount = DepthwiseLayout.roundUp(phases * phaseStride + g.kernelWidth + 8, to: 16)
    margin = (g.kernelHeight - 1) / g.strideHeight * phaseWidth
      + (g.kernelWidth - 1) / g.strideWidth
    wideBlockCount = DepthwiseLayout.roundUp(g.outHeight * phaseWidth, to: 8)
    wideCount = DepthwiseLayout.roundUp(margin + phaseStride + 8, to: 16)
  }

  /// Scratch one worker needs: a phased plane and a wide plane (each a multiple of 16 floats,
  /// so both stay 64-byte aligned).
  var scratchFloatsPerWorker: Int { phasedCount + wideCount }

  var macsPerPlane: Int { geometry.outputPlane * geometry.kernelPlane }

  private var isStrideOne: Bool { geometry.strideHeight == 1 && geometry.strideWidth == 1 }

  /// The phase plane that tap (ki, kj) reads, and the tap's offset inside it.
  func phase(ofTap tap: Int) -> (phase: Int, offset: Int) {
    let g = geometry
    let ki = tap / g.kernelWidth
    let kj = tap % g.kernelWidth
    let phase = (ki % g.strideHeight) * g.strideWidth + kj % g.strideWidth
    return (phase, ki / g.strideHeight * phaseWidth + kj / g.strideWidth)
  }

  /// Offset of tap `tap` in the phased buffer: its phase plane plus its offset inside it.
  func tapOffset(_ tap: Int) -> Int {
    let (phase, offset) = phase(ofTap: tap)
    return phase * phaseStride + offset
  }

  private static func roundUp(_ value: Int, to multiple: Int) -> Int {
    (value + multiple - 1) / multiple * multiple
  }

  // MARK: Moving planes in and out

  /// Writes `source` [H, W] as phase planes of its zero-padded version, zero everywhere else.
  func phase(_ source: UnsafePointer<Float>, into phased: UnsafeMutablePointer<Float>) {
    let g = geometry
    phased.update(repeating: 0, count: phasedCount)
    for y in 0..<g.height {
      let py = y + g.paddingHeight
      let rowStart = (py % g.strideHeight) * g.strideWidth * phaseStride
        + py / g.strideHeight * phaseWidth
      let sourceRow = source + y * g.width
      if g.strideWidth == 1 {
        copyRow(sourceRow, to: phased + rowStart + g.paddingWidth, count: g.width)
        continue
      }
      for x in 0..<g.width {
        let px = x + g.paddingWidth
        phased[rowStart + (px % g.strideWidth) * phaseStride + px / g.strideWidth] = sourceRow[x]
      }
    }
  }

  /// Writes the input pixels [H, W] of a phased-plane gradient to `destination` (the inverse
  /// of `phase`, dropping the padding).
  func unphase(_ phased: UnsafePointer<Float>, to destination: UnsafeMutablePointer<Float>) {
    let g = geometry
    for y in 0..<g.height {
      let py = y + g.paddingHeight
      let rowStart = (py % g.strideHeight) * g.strideWidth * phaseStride
        + py / g.strideHeight * phaseWidth
      let destinationRow = destination + y * g.width
      if g.strideWidth == 1 {
        copyRow(phased + rowStart + g.paddingWidth, to: destinationRow, count: g.width)
        continue
      }
      for x in 0..<g.width {
        let px = x + g.paddingWidth
        destinationRow[x] = phased[rowStart + (px % g.strideWidth) * phaseStride + px / g.strideWidth]
      }
    }
  }

  /// Writes the valid columns of a wide plane to an output plane [Ho, Wo].
  func copyValidColumns(of wide: UnsafePointer<Float>, to destination: UnsafeMutablePointer<Float>) {
    let g = geometry
    for oy in 0..<g.outHeight {
      copyRow(wide + oy * phaseWidth, to: destination + oy * g.outWidth, count: g.outWidth)
    }
  }

  /// Writes an output-gradient plane [Ho, Wo] in the wide layout with zero junk columns and
  /// zeros up to `wideBlockCount`.
  func widen(_ source: UnsafePointer<Float>, into wide: UnsafeMutablePointer<Float>) {
    let g = geometry
    for oy in 0..<g.outHeight {
      let row = wide + oy * phaseWidth
      copyRow(source + oy * g.outWidth, to: row, count: g.outWidth)
      for x in g.outWidth..<phaseWidth { row[x] = 0 }
    }
    let end = g.outHeight * phaseWidth
    (wide + end).update(repeating: 0, count: wideBlockCount - end)
  }

  /// `widen` after `margin` zeros, with zeros to the end of the buffer: every index the
  /// transposed correlation reads outside the plane is zero.
  func widenWithMargins(_ source: UnsafePointer<Float>, into extended: UnsafeMutablePointer<Float>) {
    extended.update(repeating: 0, count: margin)
    widen(source, into: extended + margin)
    let end = margin + wideBlockCount
    (extended + end).update(repeating: 0, count: wideCount - end)
  }

  // MARK: The SIMD loops

  /// wide[t] = bias + Σ_taps w[tap] · phased[t + tapOffset(tap)] for every wide index t.
  func correlate(
    _ phased: UnsafePointer<Float>, _ filter: UnsafePointer<Float>, bias: Float,
    into wide: UnsafeMutablePointer<Float>
  ) {
    let taps = geometry.kernelPlane
    withUnsafeTemporaryAllocation(of: UnsafePointer<Float>.self, capacity: taps) { sources in
      for tap in 0..<taps { sources[tap] = phased + tapOffset(tap) }
      weightedSum(sources.baseAddress!, weights: filter, terms: taps, bias: bias,
                  accumulate: false, into: wide, count: wideBlockCount)
    }
  }

  /// The adjoint of `correlate` for the input, one phase plane at a time:
  /// gradPhased[phase, u] (+)= Σ_{taps in phase} w[tap] · gradWide[u − offset in phase],
  /// reading the gradient from `extended` (see `widenWithMargins`).
  func correlateTransposed(
    _ extended: UnsafePointer<Float>, _ filter: UnsafePointer<Float>,
    into gradPhased: UnsafeMutablePointer<Float>, accumulate: Bool
  ) {
    let g = geometry
    let center = extended + margin
    withUnsafeTemporaryAllocation(of: UnsafePointer<Float>.self, capacity: g.kernelPlane) { sources in
      withUnsafeTemporaryAllocation(of: Float.self, capacity: g.kernelPlane) { weights in
        for phase in 0..<g.strideHeight * g.strideWidth {
          var terms = 0
          for tap in 0..<g.kernelPlane {
            let (tapPhase, offset) = self.phase(ofTap: tap)
            guard tapPhase == phase else { continue }
            sources[terms] = center - offset
            weights[terms] = filter[tap]
            terms += 1
          }
          weightedSum(sources.baseAddress!, weights: weights.baseAddress!, terms: terms, bias: 0,
                      accumulate: accumulate, into: gradPhased + phase * phaseStride,
                      count: phaseStride)
        }
      }
    }
  }
}

/// out[t] = (accumulate ? out[t] : bias) + Σ_i weights[i] · sources[i][t], for t in whole
/// 8-float blocks below `count` (a multiple of 8).
///
/// Every convolution loop of the depthwise kernel is this one: a weighted sum of shifted planes.
/// Nine terms (a 3×3 kernel at stride 1) get an unrolled body that keeps weights and pointers in
/// registers across the plane.
private func weightedSum(
  _ sources: UnsafePointer<UnsafePointer<Float>>, weights: UnsafePointer<Float>, terms: Int,
  bias: Float, accumulate: Bool, into out: UnsafeMutablePointer<Float>, count: Int
) {
  let biases = SIMD8<Float>(repeating: bias)
  if terms == 9 {
    let (w0, w1, w2) = (SIMD8(repeating: weights[0]), SIMD8(repeating: weights[1]), SIMD8(repeating: weights[2]))
    let (w3, w4, w5) = (SIMD8(repeating: weights[3]), SIMD8(repeating: weights[4]), SIMD8(repeating: weights[5]))
    let (w6, w7, w8) = (SIMD8(repeating: weights[6]), SIMD8(repeating: weights[7]), SIMD8(repeating: weights[8]))
    let (p0, p1, p2) = (sources[0], sources[1], sources[2])
    let (p3, p4, p5) = (sources[3], sources[4], sources[5])
    let (p6, p7, p8) = (sources[6], sources[7], sources[8])
    for t in stride(from: 0, to: count, by: 8) {
      var sum = accumulate ? loadVector(out + t) : biases
      sum += w0 * loadVector(p0 + t) + w1 * loadVector(p1 + t) + w2 * loadVector(p2 + t)
      sum += w3 * loadVector(p3 + t) + w4 * loadVector(p4 + t) + w5 * loadVector(p5 + t)
      sum += w6 * loadVector(p6 + t) + w7 * loadVector(p7 + t) + w8 * loadVector(p8 + t)
      storeVector(sum, out + t)
    }
    return
  }
  for t in stride(from: 0, to: count, by: 8) {
    var sum = accumulate ? loadVector(out + t) : biases
    for i in 0..<terms { sum += SIMD8(repeating: weights[i]) * loadVector(sources[i] + t) }
    storeVector(sum, out + t)
  }
}

/// Copies a short row with inline SIMD: planes here are small (often 4–32 floats a row), where a
/// call to memmove per row costs more than the copy.
@inline(__always)
private func copyRow(_ source: UnsafePointer<Float>, to destination: UnsafeMutablePointer<Float>, count: Int) {
  var i = 0
  while i + 8 <= count {
    storeVector(loadVector(source + i), destination + i)
    i += 8
  }
  while i < count {
    destination[i] = source[i]
    i += 1
  }
}

// Per-block helpers live in this file on purpose: debug builds compile files separately, and a
// call into another file for every 8-float block would spill the accumulators each time.
@inline(__always)
private func loadVector(_ pointer: UnsafePointer<Float>) -> SIMD8<Float> {
  UnsafeRawPointer(pointer).loadUnaligned(as: SIMD8<Float>.self)
}

@inline(__always)
private func storeVector(_ value: SIMD8<Float>, _ pointer: UnsafeMutablePointer<Float>) {
  UnsafeMutableRawPointer(pointer).storeBytes(of: value, as: SIMD8<Float>.self)
}
