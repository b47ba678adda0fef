import Engine
import Models
import Plots

/// Runs one image through a network in eval mode and keeps chosen stage outputs, through the
/// network's own `StageProbe`s (the layers that already mark S0…S4), so the captured tensors are
/// exactly what the MFD loss and the correlation statistics see.
public enum StageCapture {
  /// The outputs of `stages` (0-based, S0…S4) for `image` ([1, c, h, w]), as [C, H, W] maps.
  /// The probes are returned to not recording afterwards.
  public static func capture(_ network: Network, image: Tensor, stages: [Int]) throws -> [Int: FeatureMaps] {
    for stage in stages where !network.stageProbes.indices.contains(stage) {
      throw FigureError.stage(stage, available: network.stageProbes.count)
    }
    guard image.shape.count == 4, image.shape[0] == 1 else {
      preconditionFailure("capture takes a batch of one image, got \(image.shape)")
    }
    guard image.shape[1] == network.configuration.inputChannels else {
      throw FigureError.channels(network: network.configuration.inputChannels, image: image.shape[1])
    }
    let probes = stages.map { network.stageProbes[$0] }
    for probe in probes { probe.recordsOutputInEval = true }
    defer { for probe in probes { probe.recordsOutputInEval = false } }
    _ = network.forward(image, mode: .eval)
    var maps: [Int: FeatureMaps] = [:]
    for (stage, probe) in zip(stages, probes) {
      let output = probe.lastOutput!
      maps[stage] = FeatureMaps(channels: output.shape[1], height: output.shape[2], width: output.shape[3],
                                values: output.values)
    }
    return maps
  }
}
