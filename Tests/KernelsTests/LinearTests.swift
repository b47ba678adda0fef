import Kernels
import Testing
import TestSupport

/// (rows, inFeatures, outFeatures, bias)
private let linearCases = [(1, 1, 1, true), (5, 7, 3, true), (8, 13, 10, false), (3, 64, 17, true)]

@Suite struct LinearTests {
  @Test(arguments: linearCases)
  func linearForwardMatchesNaiveReference(rows: Int, inFeatures: Int, outFeatures: Int, hasBias: Bool) {
    let x = randomValues(rows * inFeatures, seed: 1)
    let w = randomValues(outFeatures * inFeatures, seed: 2), b = randomValues(outFeatures, seed: 3)
    // Garbage in the output buffer checks that the forward overwrites rather than adds.
    var y = randomValues(rows * outFeatures, seed: 4), naiveY = y
    linearForward(input: x, weight: w, bias: hasBias ? b : nil, output: &y,
                  rows: rows, inFeatures: inFeatures, outFeatures: outFeatures)
    naiveLinearForward(input: x, weight: w, bias: hasBias ? b : nil, output: &naiveY,
                       rows: rows, inFeatures: inFeatures, outFeatures: outFeatures)
    #expect(maxRelativeError(y, naiveY) < 1e-5)
  }

  @Test(arguments: linearCases)
  func linearBackwardMatchesNaiveReference(rows: Int, inFeatures: Int, outFeatures: Int, hasBias: Bool) {
    let x = randomValues(rows * inFeatures, seed: 5), w = randomValues(outFeatures * inFeatures, seed: 6)
    let dy = randomValues(rows * outFeatures, seed: 7)
    // Non-zero starting gradients check accumulation.
    var dw = randomValues(w.count, seed: 8), db = randomValues(outFeatures, seed: 9)
    var naiveDw = dw, naiveDb = db
    var dx = randomValues(x.count, seed: 10), naiveDx = dx
    db.withUnsafeMutableBufferPointer { db in
      linearBackward(input: x, weight: w, gradOutput: dy, gradWeight: &dw,
                     gradBias: hasBias ? db.baseAddress : nil, gradInput: &dx,
                     rows: rows, inFeatures: inFeatures, outFeatures: outFeatures)
    }
    naiveDb.withUnsafeMutableBufferPointer { db in
      naiveLinearBackward(input: x, weight: w, gradOutput: dy, gradWeight: &naiveDw,
                          gradBias: hasBias ? db.baseAddress : nil, gradInput: &naiveDx,
                          rows: rows, inFeatures: inFeatures, outFeatures: outFeatures)
    }
    #expect(maxRelativeError(dw, naiveDw) < 1e-5)
    #expect(maxRelativeError(db, naiveDb) < 1e-5)
    #expect(maxRelativeError(dx, naiveDx) < 1e-5)
  }
}
