import Plots
import Testing

@Suite struct AxisScaleTests {
  @Test func coveringWidensToWholeNiceSteps() {
    // 65.6 / 6 targeted ticks ≈ 10.9 per step: the next nice step is 20.
    let scale = AxisScale(covering: [12.3, 77.9])
    #expect(scale.lower == 0 && scale.upper == 80 && scale.step == 20)
    #expect(scale.ticks == [0, 20, 40, 60, 80])
  }

  @Test func epochAxisUsesWholeSteps() {
    let scale = AxisScale(covering: [1, 2, 3], integerSteps: true)
    #expect(scale.step == 1 && scale.ticks.first == 1 && scale.ticks.last == 3)
    #expect(scale.label(2) == "2")
  }

  @Test func fixedRangeKeepsItsBoundsAndLabelsDecimalSteps() {
    let scale = AxisScale(fixed: 0...1)
    #expect(scale.lower == 0 && scale.upper == 1 && scale.step == 0.2)
    #expect(scale.label(0.4) == "0.4")
    #expect(scale.fraction(0.5) == 0.5 && scale.fraction(3) == 1)
  }
}
