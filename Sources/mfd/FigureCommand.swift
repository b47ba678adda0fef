import ArgumentParser
import Figures
import Foundation
import Kernels

/// `mfd figure`: the paper's figures from finished training runs, outside any manifest.
struct FigureCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "figure",
    abstract: "Draw the paper's figures from finished training runs.",
    discussion: """
      A run is a train step's output folder (model.safetensors and training.json, e.g. \
      <store>/artifacts/…/train@…) or, for curves, its training.json alone.
      """,
    subcommands: [Curves.self, FeatureMaps.self])

  struct Curves: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Fig. 6: test accuracy per epoch, one curve per loss, from two or more runs.",
      discussion: """
        Runs with the same loss (MFD placement and λ) are averaged per epoch: the line is the \
        mean over seeds, the shaded band spans the lowest to the highest seed. All runs must use \
        the same network, class count and width. Writes <stem>.png and <stem>.svg.
        """)

    @Argument(help: "Train step output folders or training.json files.")
    var runs: [String]
    @Option(help: "Output path without extension.")
    var output: String
    @Option(help: "Figure title (default: names the network).")
    var title: String?

    func validate() throws {
      guard runs.count >= 2 else { throw ValidationError("give at least two runs (softmax and softmax+MFD)") }
    }

    func run() throws {
      let files = try AccuracyCurves.write(runs: runs.map { URL(fileURLWithPath: $0) },
                                           stem: URL(fileURLWithPath: output), title: title)
      print(files.png.path)
      print(files.svg.path)
    }
  }

  struct FeatureMaps: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "feature-maps",
      abstract: "Figs. 1, 4, 5: a stage's first feature maps for one test image, one panel per run.",
      discussion: """
        Each run's network (training.json's configuration, model.safetensors' weights) sees the \
        same test image in eval mode; the stage output is captured by the network's stage probe. \
        Fig. 4: --stage 0 with a softmax and a softmax+MFD run; Fig. 5: --stage 1; Fig. 1: \
        --stage 0 with the softmax run alone. Every tile is scaled to its own min/max. Writes \
        <stem>.png.
        """)

    @Argument(help: "Train step output folders, one panel each, left to right (softmax first).")
    var runs: [String]
    @Option(help: "The test split: a test.mfdsplit file or a folder holding one (a preprocess step's output, data/<name>/cache).")
    var split: String
    @Option(help: "Index of the test image in the split's order.")
    var image: Int = 0
    @Option(help: "Stage whose output is drawn: 0…4 (the paper shows 0 and 1).")
    var stage: Int = 0
    @Option(help: "Channels per panel, from channel 0 (8 per row).")
    var channels: Int = 64
    @Option(help: "Output path without extension.")
    var output: String
    @Option(help: "Worker threads for the forward pass.")
    var threads: Int = 1

    func validate() throws {
      guard !runs.isEmpty else { throw ValidationError("give at least one run") }
      guard (0...4).contains(stage) else { throw ValidationError("--stage must be 0…4, got \(stage)") }
      guard channels >= 1 else { throw ValidationError("--channels must be at least 1") }
      guard image >= 0 else { throw ValidationError("--image must be ≥ 0") }
      guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
    }

    func run() throws {
      Threading.setThreadCount(threads)
      let request = FeatureMapFigure.Request(
        runs: runs.map { URL(fileURLWithPath: $0) }, split: URL(fileURLWithPath: split), imageIndex: image,
        stage: stage, channels: channels)
      print(try FeatureMapFigure.write(request, stem: URL(fileURLWithPath: output)).path)
    }
  }
}
