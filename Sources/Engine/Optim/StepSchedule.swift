/// Step learning-rate schedule with `torch.optim.lr_scheduler.MultiStepLR` semantics: the rate for
/// (0-based) epoch e is `base · gamma^k`, k = number of milestones ≤ e.
public struct StepSchedule: Sendable, Equatable, Codable {
  public var base: Double
  public var milestones: [Int]
  public var gamma: Double

  public init(base: Double, milestones: [Int], gamma: Double = 0.1) {
    self.base = base
    self.milestones = milestones.sorted()
    self.gamma = gamma
  }

  /// The learning rate used throughout epoch `epoch` (0-based).
  public func rate(epoch: Int) -> Double {
    // Multiplied step by step, as PyTorch does, so rates equal its Python floats bit for bit.
    var rate = base
    for milestone in milestones where milestone <= epoch { rate *= gamma }
    return rate
  }
}
