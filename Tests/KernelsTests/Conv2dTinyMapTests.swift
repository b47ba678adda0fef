import Kernels
import Testing
import TestSupport

/// Every algorithm on the tiny maps deep networks reach at 32×32 input (MobileNetV2's 2×2 and
/// 1×1 stages, ResNeXt at reduced width where each group holds one channel).
@Suite struct Conv2dTinyMapTests {
  @Test(arguments: [
    // (n, c, h, w, outC, k, stride, pad, groups)
    (4, 8, 1, 1, 8, 3, 1, 1, 8), (4, 8, 2, 2, 8, 3, 2, 1, 8), (4, 8, 2, 2, 8, 3, 1, 1, 8),
    (3, 6, 3, 3, 6, 3, 2, 1, 6), (4, 32, 4, 4, 32, 3, 2, 1, 32), (4, 32, 1, 1, 32, 3, 1, 1, 32),
    (2, 8, 1, 1, 16, 1, 1, 0, 1), (2, 8, 2, 2, 16, 3, 2, 1, 1), (2, 8, 1, 1, 8, 3, 1, 1, 1),
    (8, 72, 4, 4, 20, 1, 1, 0, 1), (8, 72, 8, 8, 72, 3, 2, 1, 72), (8, 12, 8, 8, 72, 1, 1, 0, 1),
  ])
  func tinyMapsMatchNaiveReference(
    n: Int, c: Int, h: Int, w: Int, outC: Int, k: Int, stride: Int, pad: Int, groups: Int
  ) throws {
    let g = try Conv2dGeometry(batch: n, inChannels: c, height: h, width: w, outChannels: outC,
                               kernel: (k, k), stride: (stride, stride), padding: (pad, pad), groups: groups)
    let x = randomValues(g.inputCount, seed: 1), wt = randomValues(g.weightCount, seed: 2)
    let dy = randomValues(g.outputCount, seed: 3)
    var fast = [Float](repeating: 0, count: g.outputCount), slow = fast
    conv2dForward(input: x, weight: wt, bias: nil, output: &fast, geometry: g, workspace: Conv2dWorkspace())
    naiveConv2dForward(input: x, weight: wt, bias: nil, output: &slow, geometry: g)
    #expect(maxRelativeError(fast, slow) < 1e-5, "forward \(g)")
    var dxFast = [Float](repeating: 0, count: g.inputCount), dxSlow = dxFast
    var dwFast = [Float](repeating: 0, count: g.weightCount), dwSlow = dwFast
    conv2dBackward(input: x, weight: wt, gradOutput: dy, gradInput: &dxFast, gradWeight: &dwFast,
                   gradBias: nil, geometry: g, workspace: Conv2dWorkspace())
    naiveConv2dBackward(input: x, weight: wt, gradOutput: dy, gradInput: &dxSlow, gradWeight: &dwSlow,
                        gradBias: nil, geometry: g)
    #expect(maxRelativeError(dxFast, dxSlow) < 1e-5, "grad input \(g)")
    #expect(maxRelativeError(dwFast, dwSlow) < 1e-5, "grad weight \(g)")
  }
}
