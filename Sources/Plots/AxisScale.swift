import Foundation

/// A linear axis with "nice" ticks (1, 2 or 5 × 10^k apart), so tick labels read as round numbers
/// and the axis ends on a tick.
public struct AxisScale: Sendable, Equatable {
  public let lower: Double
  public let upper: Double
  public let ticks: [Double]
  /// Distance between ticks.
  public let step: Double

  /// An axis over exactly `range`, ticked inside it.
  public init(fixed range: ClosedRange<Double>, targetTicks: Int = 6) {
    let span = range.upperBound > range.lowerBound ? range.upperBound - range.lowerBound : 1
    let s = Self.niceStep(span / Double(max(1, targetTicks)))
    step = s
    lower = range.lowerBound
    upper = range.upperBound > range.lowerBound ? range.upperBound : range.lowerBound + 1
    let first = (lower / s).rounded(.up)
    let last = (upper / s + 1e-9).rounded(.down)
    ticks = first <= last ? stride(from: first, through: last, by: 1).map { $0 * s } : []
  }

  /// An axis covering `values`, widened outwards to whole steps (a single value gets ±1).
  public init(covering values: [Double], targetTicks: Int = 6, integerSteps: Bool = false) {
    let finite = values.filter(\.isFinite)
    var low = finite.min() ?? 0, high = finite.max() ?? 1
    if low == high { low -= 1; high += 1 }
    var s = Self.niceStep((high - low) / Double(max(1, targetTicks)))
    if integerSteps { s = max(1, s.rounded()) }
    let lowerBound = (low / s).rounded(.down) * s, upperBound = (high / s).rounded(.up) * s
    self.init(fixed: lowerBound...upperBound, step: s)
  }

  private init(fixed range: ClosedRange<Double>, step: Double) {
    let low = range.lowerBound
    lower = low
    upper = range.upperBound
    self.step = step
    let count = Int(((range.upperBound - low) / step).rounded())
    ticks = (0...count).map { low + Double($0) * step }
  }

  /// 0…1 along the axis (clamped).
  public func fraction(_ value: Double) -> Double {
    min(1, max(0, (value - lower) / (upper - lower)))
  }

  /// A tick's label with as many decimals as the step needs (none for whole steps).
  public func label(_ value: Double) -> String {
    let decimals = step >= 1 ? 0 : Int((-log10(step)).rounded(.up))
    if decimals == 0 { return String(Int(value.rounded())) }
    return String(format: "%.\(decimals)f", value)
  }

  /// The smallest of 1, 2, 5 × 10^k not below `rough`.
  static func niceStep(_ rough: Double) -> Double {
    guard rough > 0, rough.isFinite else { return 1 }
    let magnitude = pow(10, (log10(rough)).rounded(.down))
    for factor in [1.0, 2, 5, 10] where factor * magnitude >= rough * (1 - 1e-9) { return factor * magnitude }
    return 10 * magnitude
  }
}
