import Engine
import Testing
import TestSupport

/// The MFD loss against PyTorch's autograd of the authors' formula (scripts/fixtures, `mfd`):
/// a [4, 6, 3, 3] batch with one strongly correlated channel pair, golden values in float64.
@Suite struct MFDLossFixtureTests {
  @Test func lossAndGradientMatchPyTorch() throws {
    let fixture = try Fixture("mfd")
    let x = try fixture.tensor("x")
    let expectedLoss = try fixture.tensor("loss")[0]
    let expectedGradient = try fixture.tensor("dx")
    #expect(x.shape == [4, 6, 3, 3])
    #expect(try fixture.number("eps") == 1e-12)
    #expect(expectedLoss > 0)

    let loss = MFDLoss()
    let value = loss.value(x)
    #expect(abs(value - expectedLoss) <= 1e-5 * expectedLoss)
    #expect(maxScaledError(loss.gradient().values, expectedGradient.values) < 1e-5)
  }
}
