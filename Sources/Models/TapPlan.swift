import Engine

/// Hands out the stage probes and MFD taps while a network is built, per the configured placement.
///
/// Every network gets a `StageProbe` at each of its five stage outputs (statistics and shapes,
/// free in training). `stages` adds an `MFDTap` right after each probe; `blocks` adds one at each
/// post-ReLU activation the network's builder reports through `block(_:)`.
struct TapPlan {
  let placement: MFDPlacement
  let lambda: Float
  private(set) var probes: [StageProbe] = []
  private(set) var taps: [MFDTap] = []

  init(placement: MFDPlacement, lambda: Float) {
    self.placement = placement
    self.lambda = lambda
  }

  /// The layers marking stage `index` (0…4): a probe, then a tap when placement is `stages`.
  mutating func stage(_ index: Int) -> [(String, any Layer)] {
    let probe = StageProbe(label: "S\(index)")
    probes.append(probe)
    var layers: [(String, any Layer)] = [("probe_s\(index)", probe)]
    if placement == .stages {
      let tap = MFDTap(lambda: lambda, label: "S\(index)")
      taps.append(tap)
      layers.append(("mfd_s\(index)", tap))
    }
    return layers
  }

  /// An MFD tap named `name` for the post-ReLU activation `label` (its dotted path) when the
  /// placement is `blocks`, else nothing.
  mutating func block(_ name: String, label: String) -> [(String, any Layer)] {
    guard placement == .blocks else { return [] }
    let tap = MFDTap(lambda: lambda, label: label)
    taps.append(tap)
    return [(name, tap)]
  }
}
