/// The plane layouts of the direct convolution kernel and the loops over them.
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
struct Conv2dDirectLayout {
  let geometry: Conv2dGeometry
  let paddedHeight: Int
  let paddedWidth: Int
  /// Rows and columns of one phase plane.
  let phaseHeight: Int
  let phaseWidth: Int
  /// Floats from one phase plane to the next: Hq·Wq rounded up to whole 8-float blocks, so a
  /// block never straddles two phases.
  let phaseStride: Int
  /// Floats of a phased-plane buffer: all phases plus zero slack for the last blocks' tap
  /// reads; a multiple of 16, so consecutive buffers stay 64-byte aligned.
  let phasedCount: Int
  /// The largest offset of a tap inside its phase plane; the transposed correlation reads
  /// `u − offset`, so gradients get this many zeros in front.
  let margin: Int
  /// The wide output plane [Ho, Wq] rounded up to whole 8-float blocks.
  let wideBlockCount: Int
  /// Floats of a wide-plane buffer: margin, one phase plane, and a block of trailing zeros; a
  /// multiple of 16.
  let wideCount: Int

  init(_ g: Conv2dGeometry) {
    geometry = g
    paddedHeight = g.height + 2 * g.paddingHeight
    paddedWidth = g.width + 2 * g.paddingWidth
    phaseHeight = (paddedHeight + g.strideHeight - 1) / g.strideHeight
    phaseWidth = (paddedWidth + g.strideWidth - 1) / g.strideWidth
    phaseStride = Conv2dDirectLayout.roundUp(phaseHeight * phaseWidth, to: 8)
    let phases = g.strideHeight * g.strideWidth
    phasedCount = Conv2dDirectLayout.roundUp(phases * phaseStride + g.kernelWidth + 8, to: 16)
    margin = (g.kernelHeight - 1) / g.strideHeight * phaseWidth
      + (g.kernelWidth - 1) / g.strideWidth
    wideBlockCount = Conv2dDirectLayout.roundUp(g.outHeight * phaseWidth, to: 8)
    wideCount = Conv2dDirectLayout.roundUp(margin + phaseStride + 8, to: 16)
  }

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
    if g.strideWidth == 1 {
      forEachPhaseRow { y, rowStart in
        copyRow(source + y * g.width, to: phased + rowStart + g.paddingWidth, count: g.width)
      }
      return
    }
    if g.strideWidth == 2 {
      phaseStrideTwo(source, into: phased)
      return
    }
    withColumnPhases { columnPhases in
      forEachPhaseRow { y, rowStart in
        let sourceRow = source + y * g.width
        for (b, (firstX, firstColumn)) in columnPhases.enumerated() {
          let phaseRow = phased + rowStart + b * phaseStride + firstColumn
          var column = 0
          for x in stride(from: firstX, to: g.width, by: g.strideWidth) {
            phaseRow[column] = sourceRow[x]
            column += 1
          }
        }
      }
    }
  }

  /// Writes the input pixels [H, W] of a phased-plane gradient to `destination` (the inverse
  /// of `phase`, dropping the padding).
  func unphase(_ phased: UnsafePointer<Float>, to destination: UnsafeMutablePointer<Float>) {
    let g = geometry
    if g.strideWidth == 1 {
      forEachPhaseRow { y, rowStart in
        copyRow(phased + rowStart + g.paddingWidth, to: destination + y * g.width, count: g.width)
      }
      return
    }
    if g.strideWidth == 2 {
      unphaseStrideTwo(phased, to: destination)
      return
    }
    withColumnPhases { columnPhases in
      forEachPhaseRow { y, rowStart in
        let destinationRow = destination + y * g.width
        for (b, (firstX, firstColumn)) in columnPhases.enumerated() {
          let phaseRow = phased + rowStart + b * phaseStride + firstColumn
          var column = 0
          for x in stride(from: firstX, to: g.width, by: g.strideWidth) {
            destinationRow[x] = phaseRow[column]
            column += 1
          }
        }
      }
    }
  }

  /// `phase` for column stride 2 (MobileNet's downsampling), vectorised: each row is padded in
  /// a scratch row, whose even and odd columns are then split with SIMD shuffles.
  private func phaseStrideTwo(_ source: UnsafePointer<Float>, into phased: UnsafeMutablePointer<Float>) {
    let g = geometry
    withUnsafeTemporaryAllocation(of: Float.self, capacity: 2 * phaseWidth + 16) { buffer in
      let paddedRow = buffer.baseAddress!
      // Borders stay zero: each row overwrites only the interior.
      paddedRow.update(repeating: 0, count: buffer.count)
      forEachPhaseRow { y, rowStart in
        copyRow(source + y * g.width, to: paddedRow + g.paddingWidth, count: g.width)
        let even = phased + rowStart
        let odd = even + phaseStride
        var c = 0
        while c + 8 <= phaseWidth {
          let pair = UnsafeRawPointer(paddedRow + 2 * c).loadUnaligned(as: SIMD16<Float>.self)
          storeVector(pair.evenHalf, even + c)
          storeVector(pair.oddHalf, odd + c)
          c += 8
        }
        while c < phaseWidth {
          even[c] = paddedRow[2 * c]
          odd[c] = paddedRow[2 * c + 1]
          c += 1
        }
      }
    }
  }

  /// `unphase` for column stride 2: interleaves the two column phases of each row into a
  /// scratch padded row with SIMD shuffles, then copies its interior out.
  private func unphaseStrideTwo(_ phased: UnsafePointer<Float>, to destination: UnsafeMutablePointer<Float>) {
    let g = geometry
    withUnsafeTemporaryAllocation(of: Float.self, capacity: 2 * phaseWidth + 16) { buffer in
      let paddedRow = buffer.baseAddress!
      forEachPhaseRow { y, rowStart in
        let even = phased + rowStart
        let odd = even + phaseStride
        var c = 0
        while c + 8 <= phaseWidth {
          var pair = SIMD16<Float>()
          pair.evenHalf = loadVector(even + c)
          pair.oddHalf = loadVector(odd + c)
          UnsafeMutableRawPointer(paddedRow + 2 * c).storeBytes(of: pair, as: SIMD16<Float>.self)
          c += 8
        }
        while c < phaseWidth {
          paddedRow[2 * c] = even[c]
          paddedRow[2 * c + 1] = odd[c]
          c += 1
        }
        copyRow(paddedRow + g.paddingWidth, to: destination + y * g.width, count: g.width)
      }
    }
  }

  /// Calls `body(y, rowStart)` for every input row y, with rowStart the offset of its padded
  /// row (y + ph) in the phased buffer (phase column 0), tracked without a division per row:
  /// small planes have short rows, where a division would cost as much as the copy.
  @inline(__always)
  private func forEachPhaseRow(_ body: (Int, Int) -> Void) {
    let g = geometry
    var phaseRow = g.paddingHeight % g.strideHeight
    var row = g.paddingHeight / g.strideHeight
    for y in 0..<g.height {
      body(y, phaseRow * g.strideWidth * phaseStride + row * phaseWidth)
      phaseRow += 1
      if phaseRow == g.strideHeight {
        phaseRow = 0
        row += 1
      }
    }
  }

  /// Calls `body` with, for each column phase b, the first input column x that lands in it
  /// ((x + pw) mod sw == b) and the phase-plane column it lands in; columns x + sw, x + 2·sw, …
  /// follow at the next phase-plane columns. Computed once per plane, not per row.
  @inline(__always)
  private func withColumnPhases(_ body: (UnsafeBufferPointer<(x: Int, column: Int)>) -> Void) {
    let g = geometry
    withUnsafeTemporaryAllocation(of: (x: Int, column: Int).self, capacity: g.strideWidth) { phases in
      for b in 0..<g.strideWidth {
        let firstX = ((b - g.paddingWidth) % g.strideWidth + g.strideWidth) % g.strideWidth
        phases[b] = (firstX, (firstX + g.paddingWidth) / g.strideWidth)
      }
      body(UnsafeBufferPointer(phases))
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
}

/// out[t] = (accumulate ? out[t] : bias) + Σ_i weights[i] · sources[i][t], for t in whole
/// 8-float blocks below `count` (a multiple of 8).
///
/// Every convolution loop of the direct kernel is this one: a weighted sum of shifted planes
/// (forward: input phase planes at the taps' offsets; grad input: output gradients at minus the
/// offsets). Nine terms (a depthwise 3×3 at stride 1) get an unrolled body that keeps weights and
/// pointers in registers across the plane.
func conv2dDirectWeightedSum(
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
