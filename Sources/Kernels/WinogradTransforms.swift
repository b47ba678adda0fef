// The tile transforms of Winograd's minimal filtering F(4×4, 3×3) (Lavin & Gray 2016), forward
// and backward, on eight tiles at once (one per SIMD lane).
//
// A 4×4 block of a 3×3 convolution's output, from the 6×6 input tile d under it and the kernel
// g, is
//
//   Y = Aᵀ [ (G g Gᵀ) ⊙ (Bᵀ d B) ] A          (36 multiplications instead of 144)
//
//        ⎡ 4  0 −5  0  1  0 ⎤        ⎡  1/4    0     0  ⎤        ⎡ 1  1  1  1  1  0 ⎤
//        ⎢ 0 −4 −4  1  1  0 ⎥        ⎢ −1/6 −1/6  −1/6  ⎥   Aᵀ = ⎢ 0  1 −1  2 −2  0 ⎥
//   Bᵀ = ⎢ 0  4 −4 −1  1  0 ⎥   G =  ⎢ −1/6  1/6  −1/6  ⎥        ⎢ 0  1  1  4  4  0 ⎥
//        ⎢ 0 −2 −1  2  1  0 ⎥        ⎢ 1/24 1/12   1/6  ⎥        ⎣ 0  1 −1  8 −8  1 ⎦
//        ⎢ 0  2 −1 −2  1  0 ⎥        ⎢ 1/24 −1/12  1/6  ⎥
//        ⎣ 0  4  0 −5  0  1 ⎦        ⎣   0    0     1   ⎦
//
// Y is linear in U = G g Gᵀ and in V = Bᵀ d B, so the backward pass runs the same algebra
// transposed: dM = A dY Aᵀ, then dU = Σ dM ⊙ V and dV = Σ U ⊙ dM (the GEMMs), and finally
// dg = Gᵀ dU G and dd = B dV Bᵀ. Every 2-D transform T X Tᵀ is a 1-D transform applied to each
// column of X and then to each row of the result; tiles are row-major arrays of `WinogradLanes`.

/// Eight tiles (or kernels), one per lane.
public typealias WinogradLanes = SIMD8<Float>

/// Lanes per tile block.
let winogradLaneCount = WinogradLanes.scalarCount

/// Values of a transformed tile: the 6×6 points ξ at which the products are taken.
let winogradPoints = 36

// MARK: 1-D transforms (src and dst may be the same: every input is read before any output)

/// Bᵀ·d, 6 → 6.
@inline(__always)
private func inputTransform(_ s: UnsafePointer<WinogradLanes>, _ ss: Int,
                            _ d: UnsafeMutablePointer<WinogradLanes>, _ ds: Int) {
  let (d0, d1, d2, d3, d4, d5) = (s[0], s[ss], s[2 * ss], s[3 * ss], s[4 * ss], s[5 * ss])
  d[0] = 4 * d0 - 5 * d2 + d4
  d[ds] = (d3 + d4) - 4 * (d1 + d2)
  d[2 * ds] = 4 * (d1 - d2) + (d4 - d3)
  d[3 * ds] = 2 * (d3 - d1) + (d4 - d2)
  d[4 * ds] = 2 * (d1 - d3) + (d4 - d2)
  d[5 * ds] = 4 * d1 - 5 * d3 + d5
}

/// B·dv (the transpose of `inputTransform`), 6 → 6.
@inline(__always)
private func inputGradientTransform(_ s: UnsafePointer<WinogradLanes>, _ ss: Int,
                                    _ d: UnsafeMutablePointer<WinogradLanes>, _ ds: Int) {
  let (v0, v1, v2, v3, v4, v5) = (s[0], s[ss], s[2 * ss], s[3 * ss], s[4 * ss], s[5 * ss])
  d[0] = 4 * v0
  d[ds] = 4 * (v2 - v1 + v5) + 2 * (v4 - v3)
  d[2 * ds] = -5 * v0 - 4 * (v1 + v2) - (v3 + v4)
  d[3 * ds] = (v1 - v2) + 2 * (v3 - v4) - 5 * v5
  d[4 * ds] = v0 + v1 + v2 + v3 + v4
  d[5 * ds] = v5
}

/// G·g, 3 → 6.
@inline(__always)
private func filterTransform(_ s: UnsafePointer<WinogradLanes>, _ ss: Int,
                             _ d: UnsafeMutablePointer<WinogradLanes>, _ ds: Int) {
  let (g0, g1, g2) = (s[0], s[ss], s[2 * ss])
  let outer = g0 + g2
  d[0] = g0 * (1 / 4 as Float)
  d[ds] = (outer + g1) * (-1 / 6 as Float)
  d[2 * ds] = (outer - g1) * (-1 / 6 as Float)
  let even = g0 * (1 / 24 as Float) + g2 * (1 / 6 as Float)
  let odd = g1 * (1 / 12 as Float)
  d[3 * ds] = even + odd
  d[4 * ds] = even - odd
  d[5 * ds] = g2
}

/// Gᵀ·du (the transpose of `filterTransform`), 6 → 3.
@inline(__always)
private func filterGradientTransform(_ s: UnsafePointer<WinogradLanes>, _ ss: Int,
                                     _ d: UnsafeMutablePointer<WinogradLanes>, _ ds: Int) {
  let (u0, u1, u2, u3, u4, u5) = (s[0], s[ss], s[2 * ss], s[3 * ss], s[4 * ss], s[5 * ss])
  let (sum12, sum34) = (u1 + u2, u3 + u4)
  d[0] = u0 * (1 / 4 as Float) - sum12 * (1 / 6 as Float) + sum34 * (1 / 24 as Float)
  d[ds] = (u2 - u1) * (1 / 6 as Float) + (u3 - u4) * (1 / 12 as Float)
  d[2 * ds] = (sum34 - sum12) * (1 / 6 as Float) + u5
}

/// Aᵀ·m, 6 → 4.
@inline(__always)
private func outputTransform(_ s: UnsafePointer<WinogradLanes>, _ ss: Int,
                             _ d: UnsafeMutablePointer<WinogradLanes>, _ ds: Int) {
  let (m0, m1, m2, m3, m4, m5) = (s[0], s[ss], s[2 * ss], s[3 * ss], s[4 * ss], s[5 * ss])
  let (sum12, difference12, sum34, difference34) = (m1 + m2, m1 - m2, m3 + m4, m3 - m4)
  d[0] = m0 + sum12 + sum34
  d[ds] = difference12 + 2 * difference34
  d[2 * ds] = sum12 + 4 * sum34
  d[3 * ds] = difference12 + 8 * difference34 + m5
}

/// A·dy (the transpose of `outputTransform`), 4 → 6.
@inline(__always)
private func outputGradientTransform(_ s: UnsafePointer<WinogradLanes>, _ ss: Int,
                                     _ d: UnsafeMutablePointer<WinogradLanes>, _ ds: Int) {
  let (y0, y1, y2, y3) = (s[0], s[ss], s[2 * ss], s[3 * ss])
  let (even1, odd1) = (y0 + y2, y1 + y3)
  let (even2, odd2) = (y0 + 4 * y2, 2 * y1 + 8 * y3)
  d[0] = y0
  d[ds] = even1 + odd1
  d[2 * ds] = even1 - odd1
  d[3 * ds] = even2 + odd2
  d[4 * ds] = even2 - odd2
  d[5 * ds] = y3
}

// MARK: 2-D transforms of whole tiles

/// One 1-D transform: reads its inputs at src + i·srcStride, writes its outputs at
/// dst + j·dstStride (all inputs are read before any output is written).
private typealias LineTransform = (
  UnsafePointer<WinogradLanes>, Int, UnsafeMutablePointer<WinogradLanes>, Int
) -> Void

/// T X Tᵀ for a 1-D transform T from `inputSize` to `outputSize` values: T on each column of X
/// into `scratch` [outputSize, inputSize], then T on each row of that into `output`
/// [outputSize, outputSize]. Input, scratch and output may all be one buffer when the sizes are
/// equal (each line is read whole before it is written).
@inline(__always)
private func transformTile(
  _ transform: LineTransform, _ input: UnsafePointer<WinogradLanes>, inputSize: Int,
  into output: UnsafeMutablePointer<WinogradLanes>, outputSize: Int,
  scratch: UnsafeMutablePointer<WinogradLanes>
) {
  for column in 0..<inputSize { transform(input + column, inputSize, scratch + column, inputSize) }
  for row in 0..<outputSize {
    transform(scratch + inputSize * row, 1, output + outputSize * row, 1)
  }
}

/// V = Bᵀ d B in place. - tile: [6, 6]
@inline(__always)
func winogradTransformInputTile(_ tile: UnsafeMutablePointer<WinogradLanes>) {
  transformTile(inputTransform, tile, inputSize: 6, into: tile, outputSize: 6, scratch: tile)
}

/// dd = B dV Bᵀ in place. - tile: [6, 6]
@inline(__always)
func winogradTransformInputGradientTile(_ tile: UnsafeMutablePointer<WinogradLanes>) {
  transformTile(inputGradientTransform, tile, inputSize: 6, into: tile, outputSize: 6,
                scratch: tile)
}

/// U = G g Gᵀ. - kernel: [3, 3]; transformed: [6, 6]; scratch: [6, 3]
@inline(__always)
func winogradTransformFilter(
  _ kernel: UnsafePointer<WinogradLanes>, into transformed: UnsafeMutablePointer<WinogradLanes>,
  scratch: UnsafeMutablePointer<WinogradLanes>
) {
  transformTile(filterTransform, kernel, inputSize: 3, into: transformed, outputSize: 6,
                scratch: scratch)
}

/// dg = Gᵀ dU G. - transformed: [6, 6]; kernel: [3, 3]; scratch: [3, 6]
@inline(__always)
func winogradTransformFilterGradient(
  _ transformed: UnsafePointer<WinogradLanes>, into kernel: UnsafeMutablePointer<WinogradLanes>,
  scratch: UnsafeMutablePointer<WinogradLanes>
) {
  transformTile(filterGradientTransform, transformed, inputSize: 6, into: kernel, outputSize: 3,
                scratch: scratch)
}

/// Y = Aᵀ M A. - products: [6, 6]; output: [4, 4]; scratch: [4, 6]
@inline(__always)
func winogradTransformOutputTile(
  _ products: UnsafePointer<WinogradLanes>, into output: UnsafeMutablePointer<WinogradLanes>,
  scratch: UnsafeMutablePointer<WinogradLanes>
) {
  transformTile(outputTransform, products, inputSize: 6, into: output, outputSize: 4,
                scratch: scratch)
}

/// dM = A dY Aᵀ. - gradient: [4, 4]; transformed: [6, 6]; scratch: [6, 4]
@inline(__always)
func winogradTransformOutputGradientTile(
  _ gradient: UnsafePointer<WinogradLanes>, into transformed: UnsafeMutablePointer<WinogradLanes>,
  scratch: UnsafeMutablePointer<WinogradLanes>
) {
  transformTile(outputGradientTransform, gradient, inputSize: 4, into: transformed,
                outputSize: 6, scratch: scratch)
}
