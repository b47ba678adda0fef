// Reference pooling for tests: windows walked in padded coordinates straight from PyTorch's
// definitions, Double sums, no shared helpers with the fast kernels.

/// Reference max pooling; also writes each window's argmax (offset in its plane) to `indices`.
///
/// - input: [planes, inputHeight, inputWidth]; output, indices: [planes, outputHeight, outputWidth]
public func naiveMaxPool2dForward(
  input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>,
  indices: UnsafeMutablePointer<Int32>, planes: Int, geometry g: Pool2dGeometry
) {
  for plane in 0..<planes {
    for oh in 0..<g.outputHeight {
      for ow in 0..<g.outputWidth {
        let (best, index) = naiveWindowMaximum(input, plane: plane, oh: oh, ow: ow, g)
        output[(plane * g.outputHeight + oh) * g.outputWidth + ow] = best
        indices[(plane * g.outputHeight + oh) * g.outputWidth + ow] = Int32(index)
      }
    }
  }
}

/// Reference max-pooling backward, re-deriving each argmax from the input.
///
/// - input, gradInput: [planes, inputHeight, inputWidth]; gradOutput: [planes, outputHeight, outputWidth]
public func naiveMaxPool2dBackward(
  input: UnsafePointer<Float>, gradOutput: UnsafePointer<Float>,
  gradInput: UnsafeMutablePointer<Float>, planes: Int, geometry g: Pool2dGeometry
) {
  let inPlane = g.inputHeight * g.inputWidth
  for i in 0..<planes * inPlane { gradInput[i] = 0 }
  for plane in 0..<planes {
    for oh in 0..<g.outputHeight {
      for ow in 0..<g.outputWidth {
        let (_, index) = naiveWindowMaximum(input, plane: plane, oh: oh, ow: ow, g)
        gradInput[plane * inPlane + index] += gradOutput[(plane * g.outputHeight + oh) * g.outputWidth + ow]
      }
    }
  }
}

/// Reference average pooling (count_include_pad, ceil_mode false: every window divides by
/// kernelHeight·kernelWidth).
///
/// - input: [planes, inputHeight, inputWidth]; output: [planes, outputHeight, outputWidth]
public func naiveAvgPool2dForward(
  input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>,
  planes: Int, geometry g: Pool2dGeometry
) {
  for plane in 0..<planes {
    for oh in 0..<g.outputHeight {
      for ow in 0..<g.outputWidth {
        var sum = 0.0
        for (y, x) in naiveWindowCells(oh: oh, ow: ow, g) {
          sum += Double(input[(plane * g.inputHeight + y) * g.inputWidth + x])
        }
        let divisor = Double(g.kernelHeight * g.kernelWidth)
        output[(plane * g.outputHeight + oh) * g.outputWidth + ow] = Float(sum / divisor)
      }
    }
  }
}

/// Reference average-pooling backward.
///
/// - gradOutput: [planes, outputHeight, outputWidth]; gradInput: [planes, inputHeight, inputWidth]
public func naiveAvgPool2dBackward(
  gradOutput: UnsafePointer<Float>, gradInput: UnsafeMutablePointer<Float>,
  planes: Int, geometry g: Pool2dGeometry
) {
  for i in 0..<planes * g.inputHeight * g.inputWidth { gradInput[i] = 0 }
  for plane in 0..<planes {
    for oh in 0..<g.outputHeight {
      for ow in 0..<g.outputWidth {
        let dy = gradOutput[(plane * g.outputHeight + oh) * g.outputWidth + ow]
        for (y, x) in naiveWindowCells(oh: oh, ow: ow, g) {
          gradInput[(plane * g.inputHeight + y) * g.inputWidth + x] += dy / Float(g.kernelHeight * g.kernelWidth)
        }
      }
    }
  }
}

/// Reference adaptive average pooling, windows from floor/ceil of real-valued bounds.
///
/// - input: [planes, inputHeight, inputWidth]; output: [planes, outputHeight, outputWidth]
public func naiveAdaptiveAvgPool2dForward(
  input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, planes: Int,
  inputHeight: Int, inputWidth: Int, outputHeight: Int, outputWidth: Int
) {
  for plane in 0..<planes {
    for oh in 0..<outputHeight {
      for ow in 0..<outputWidth {
        let rows = naiveAdaptiveBounds(oh, inputHeight, outputHeight)
        let columns = naiveAdaptiveBounds(ow, inputWidth, outputWidth)
        var sum = 0.0
        for y in rows {
          for x in columns { sum += Double(input[(plane * inputHeight + y) * inputWidth + x]) }
        }
        output[(plane * outputHeight + oh) * outputWidth + ow] = Float(sum / Double(rows.count * columns.count))
      }
    }
  }
}

/// Reference adaptive average-pooling backward.
///
/// - gradOutput: [planes, outputHeight, outputWidth]; gradInput: [planes, inputHeight, inputWidth]
public func naiveAdaptiveAvgPool2dBackward(
  gradOutput: UnsafePointer<Float>, gradInput: UnsafeMutablePointer<Float>, planes: Int,
  inputHeight: Int, inputWidth: Int, outputHeight: Int, outputWidth: Int
) {
  for i in 0..<planes * inputHeight * inputWidth { gradInput[i] = 0 }
  for plane in 0..<planes {
    for oh in 0..<outputHeight {
      for ow in 0..<outputWidth {
        let rows = naiveAdaptiveBounds(oh, inputHeight, outputHeight)
        let columns = naiveAdaptiveBounds(ow, inputWidth, outputWidth)
        let dy = gradOutput[(plane * outputHeight + oh) * outputWidth + ow]
        for y in rows {
          for x in columns {
            gradInput[(plane * inputHeight + y) * inputWidth + x] += dy / Float(rows.count * columns.count)
          }
        }
      }
    }
  }
}

/// The in-bounds (y, x) cells of window (oh, ow), scanning the padded kernel row by row.
private func naiveWindowCells(oh: Int, ow: Int, _ g: Pool2dGeometry) -> [(Int, Int)] {
  var cells: [(Int, Int)] = []
  for ky in 0..<g.kernelHeight {
    for kx in 0..<g.kernelWidth {
      let y = oh * g.strideHeight - g.paddingHeight + ky
      let x = ow * g.strideWidth - g.paddingWidth + kx
      if y >= 0, y < g.inputHeight, x >= 0, x < g.inputWidth { cells.append((y, x)) }
    }
  }
  return cells
}

/// Maximum of window (oh, ow) of `plane` and its offset; first maximum wins, NaN beats numbers.
private func naiveWindowMaximum(
  _ input: UnsafePointer<Float>, plane: Int, oh: Int, ow: Int, _ g: Pool2dGeometry
) -> (Float, Int) {
  let cells = naiveWindowCells(oh: oh, ow: ow, g)
  var best = -Float.infinity
  var bestIndex = cells[0].0 * g.inputWidth + cells[0].1
  for (y, x) in cells {
    let value = input[(plane * g.inputHeight + y) * g.inputWidth + x]
    if value.isNaN || value > best {
      best = value
      bestIndex = y * g.inputWidth + x
    }
  }
  return (best, bestIndex)
}

/// floor(i·in/out) ..< ceil((i+1)·in/out), computed on real numbers.
private func naiveAdaptiveBounds(_ i: Int, _ input: Int, _ output: Int) -> Range<Int> {
  let start = (Double(i * input) / Double(output)).rounded(.down)
  let end = (Double((i + 1) * input) / Double(output)).rounded(.up)
  return Int(start)..<Int(end)
}
