// 2-d pooling over NCHW planes with PyTorch's semantics (dilation 1, ceil_mode false):
// max pooling with −∞ padding and the first maximum winning ties, average pooling counting the
// padding (count_include_pad), and adaptive average pooling. Every kernel treats the n·c planes
// independently and runs in parallel across them.

/// The window sweep of a pooling layer over one [inputHeight, inputWidth] plane.
public struct Pool2dGeometry: Sendable, Equatable {
  public let inputHeight, inputWidth: Int
  public let kernelHeight, kernelWidth: Int
  public let strideHeight, strideWidth: Int
  public let paddingHeight, paddingWidth: Int
  public let outputHeight, outputWidth: Int

  /// The output size is ⌊(in + 2·padding − kernel) / stride⌋ + 1 per axis, as PyTorch's
  /// ceil_mode=false. Requires stride ≥ 1, padding ≤ kernel / 2 and a window that fits.
  public init(
    inputHeight: Int, inputWidth: Int,
    kernel: (height: Int, width: Int), stride: (height: Int, width: Int),
    padding: (height: Int, width: Int)
  ) {
    precondition(Pool2dGeometry.isValid(
      inputHeight: inputHeight, inputWidth: inputWidth, kernel: kernel, stride: stride,
      padding: padding), "invalid pooling geometry for a \(inputHeight)×\(inputWidth) plane")
    self.inputHeight = inputHeight
    self.inputWidth = inputWidth
    (kernelHeight, kernelWidth) = kernel
    (strideHeight, strideWidth) = stride
    (paddingHeight, paddingWidth) = padding
    outputHeight = (inputHeight + 2 * padding.height - kernel.height) / stride.height + 1
    outputWidth = (inputWidth + 2 * padding.width - kernel.width) / stride.width + 1
  }

  /// Whether `init` accepts these values (layers check this to throw a `ShapeError` instead).
  public static func isValid(
    inputHeight: Int, inputWidth: Int,
    kernel: (height: Int, width: Int), stride: (height: Int, width: Int),
    padding: (height: Int, width: Int)
  ) -> Bool {
    kernel.height >= 1 && kernel.width >= 1 && stride.height >= 1 && stride.width >= 1
      && padding.height >= 0 && padding.width >= 0
      && 2 * padding.height <= kernel.height && 2 * padding.width <= kernel.width
      && inputHeight + 2 * padding.height >= kernel.height
      && inputWidth + 2 * padding.width >= kernel.width
  }

  var inputPlane: Int { inputHeight * inputWidth }
  var outputPlane: Int { outputHeight * outputWidth }

  /// The window of output (oh, ow) clipped to the input, plus PyTorch's average divisor: the
  /// window size clipped to the *padded* input, so padding counts but overhang does not.
  @inline(__always)
  func window(_ oh: Int, _ ow: Int) -> (rows: Range<Int>, columns: Range<Int>, paddedArea: Int) {
    let top = oh * strideHeight - paddingHeight, left = ow * strideWidth - paddingWidth
    let bottom = min(top + kernelHeight, inputHeight + paddingHeight)
    let right = min(left + kernelWidth, inputWidth + paddingWidth)
    let area = (bottom - top) * (right - left)
    return (max(top, 0)..<min(bottom, inputHeight), max(left, 0)..<min(right, inputWidth), area)
  }
}

// MARK: - Max pooling

/// Max-pooling forward. Padding acts as −∞; the first maximum in row-major scan order wins ties
/// and NaN wins over numbers, as in PyTorch.
///
/// - input: [planes, inputHeight, inputWidth] (planes = n·c)
/// - output: [planes, outputHeight, outputWidth]
/// - indices: [planes, outputHeight, outputWidth], written: the argmax's offset within its input
///   plane (y·inputWidth + x), for the backward pass
public func maxPool2dForward(
  input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>,
  indices: UnsafeMutablePointer<Int32>, planes: Int, geometry g: Pool2dGeometry
) {
  parallelFor(planes) { plane in
    let x = input + plane * g.inputPlane
    let outBase = plane * g.outputPlane
    for oh in 0..<g.outputHeight {
      for ow in 0..<g.outputWidth {
        let (rows, columns, _) = g.window(oh, ow)
        let (best, bestIndex) = windowMaximum(x, width: g.inputWidth, rows: rows, columns: columns)
        output[outBase + oh * g.outputWidth + ow] = best
        indices[outBase + oh * g.outputWidth + ow] = Int32(bestIndex)
      }
    }
  }
}

/// The maximum of one window and its offset, by PyTorch's rule `value > best || value.isNaN`
/// from best = −∞ at the window's first cell.
///
/// Testing for NaN on every cell keeps the compiler from turning the comparison into selects and
/// costs ~4× on random data, so the common case scans with `>` alone and keeps a running sum
/// as a probe: it is NaN whenever the window holds a NaN (and rarely otherwise, e.g. +∞ and −∞,
/// which only costs a rescan), and only then is the window rescanned with the full rule.
@inline(__always)
private func windowMaximum(
  _ x: UnsafePointer<Float>, width: Int, rows: Range<Int>, columns: Range<Int>
) -> (Float, Int) {
  let first = rows.lowerBound * width + columns.lowerBound
  var best = -Float.infinity, bestIndex = first, probe: Float = 0
  for y in rows {
    for column in columns {
      let index = y * width + column
      let value = x[index]
      let wins = value > best
      best = wins ? value : best
      bestIndex = wins ? index : bestIndex
      probe += value
    }
  }
  guard probe.isNaN else { return (best, bestIndex) }
  best = -Float.infinity
  bestIndex = first
  for y in rows {
    for column in columns {
      let index = y * width + column
      if x[index] > best || x[index].isNaN {
        best = x[index]
        bestIndex = index
      }
    }
  }
  return (best, bestIndex)
}

/// Max-pooling backward: each output gradient goes to its saved argmax (overlapping windows add).
///
/// - gradOutput, indices: [planes, outputHeight, outputWidth]
/// - gradInput: [planes, inputHeight, inputWidth], overwritten
public func maxPool2dBackward(
  gradOutput: UnsafePointer<Float>, indices: UnsafePointer<Int32>,
  gradInput: UnsafeMutablePointer<Float>, planes: Int, geometry g: Pool2dGeometry
) {
  parallelFor(planes) { plane in
    let dx = gradInput + plane * g.inputPlane
    dx.update(repeating: 0, count: g.inputPlane)
    let outBase = plane * g.outputPlane
    for o in 0..<g.outputPlane { dx[Int(indices[outBase + o])] += gradOutput[outBase + o] }
  }
}

// MARK: - Average pooling

/// Average-pooling forward with count_include_pad (PyTorch's default): each window's sum is
/// divided by its size including padding.
///
/// - input: [planes, inputHeight, inputWidth]; output: [planes, outputHeight, outputWidth]
public func avgPool2dForward(
  input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>,
  planes: Int, geometry g: Pool2dGeometry
) {
  parallelFor(planes) { plane in
    let x = input + plane * g.inputPlane
    let y = output + plane * g.outputPlane
    for oh in 0..<g.outputHeight {
      for ow in 0..<g.outputWidth {
        let (rows, columns, area) = g.window(oh, ow)
        var sum: Float = 0
        for r in rows {
          for col in columns { sum += x[r * g.inputWidth + col] }
        }
        y[oh * g.outputWidth + ow] = sum / Float(area)
      }
    }
  }
}

/// Average-pooling backward: spreads each output gradient / window size over its window.
///
/// - gradOutput: [planes, outputHeight, outputWidth]
/// - gradInput: [planes, inputHeight, inputWidth], overwritten
public func avgPool2dBackward(
  gradOutput: UnsafePointer<Float>, gradInput: UnsafeMutablePointer<Float>,
  planes: Int, geometry g: Pool2dGeometry
) {
  parallelFor(planes) { plane in
    let dy = gradOutput + plane * g.outputPlane
    let dx = gradInput + plane * g.inputPlane
    dx.update(repeating: 0, count: g.inputPlane)
    for oh in 0..<g.outputHeight {
      for ow in 0..<g.outputWidth {
        let (rows, columns, area) = g.window(oh, ow)
        let share = dy[oh * g.outputWidth + ow] / Float(area)
        for r in rows {
          for col in columns { dx[r * g.inputWidth + col] += share }
        }
      }
    }
  }
}

// MARK: - Adaptive average pooling

/// PyTorch's adaptive window along one axis: [⌊i·in/out⌋, ⌈(i+1)·in/out⌉).
@inline(__always)
func adaptiveWindow(_ i: Int, input: Int, output: Int) -> Range<Int> {
  (i * input / output)..<(((i + 1) * input + output - 1) / output)
}

/// Adaptive average-pooling forward: output cell (i, j) averages the input rows
/// [⌊i·H/outH⌋, ⌈(i+1)·H/outH⌉) and likewise for columns. A 1×1 output is a global average
/// (summed in Double: it is the last reduction before the classifier).
///
/// - input: [planes, inputHeight, inputWidth]; output: [planes, outputHeight, outputWidth]
public func adaptiveAvgPool2dForward(
  input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, planes: Int,
  inputHeight: Int, inputWidth: Int, outputHeight: Int, outputWidth: Int
) {
  let inPlane = inputHeight * inputWidth, outPlane = outputHeight * outputWidth
  if outPlane == 1 {
    parallelFor(planes) { plane in
      var sum = 0.0
      for i in 0..<inPlane { sum += Double(input[plane * inPlane + i]) }
      output[plane] = Float(sum / Double(inPlane))
    }
    return
  }
  parallelFor(planes) { plane in
    let x = input + plane * inPlane
    for oh in 0..<outputHeight {
      let rows = adaptiveWindow(oh, input: inputHeight, output: outputHeight)
      for ow in 0..<outputWidth {
        let columns = adaptiveWindow(ow, input: inputWidth, output: outputWidth)
        var sum: Float = 0
        for r in rows {
          for col in columns { sum += x[r * inputWidth + col] }
        }
        output[plane * outPlane + oh * outputWidth + ow] = sum / Float(rows.count * columns.count)
      }
    }
  }
}

/// Adaptive average-pooling backward: each output gradient / window size goes to its window.
///
/// - gradOutput: [planes, outputHeight, outputWidth]
/// - gradInput: [planes, inputHeight, inputWidth], overwritten
public func adaptiveAvgPool2dBackward(
  gradOutput: UnsafePointer<Float>, gradInput: UnsafeMutablePointer<Float>, planes: Int,
  inputHeight: Int, inputWidth: Int, outputHeight: Int, outputWidth: Int
) {
  let inPlane = inputHeight * inputWidth, outPlane = outputHeight * outputWidth
  if outPlane == 1 {
    parallelFor(planes) { plane in
      (gradInput + plane * inPlane).update(
        repeating: gradOutput[plane] / Float(inPlane), count: inPlane)
    }
    return
  }
  parallelFor(planes) { plane in
    let dx = gradInput + plane * inPlane
    dx.update(repeating: 0, count: inPlane)
    for oh in 0..<outputHeight {
      let rows = adaptiveWindow(oh, input: inputHeight, output: outputHeight)
      for ow in 0..<outputWidth {
        let columns = adaptiveWindow(ow, input: inputWidth, output: outputWidth)
        let share = gradOutput[plane * outPlane + oh * outputWidth + ow]
          / Float(rows.count * columns.count)
        for r in rows {
          for col in columns { dx[r * inputWidth + col] += share }
        }
      }
    }
  }
}
