import ArgumentParser
import Foundation
import Models

struct Models: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "List the paper's networks: parameters, forward MACs, stage shapes, MFD tap counts.",
    discussion: """
      MACs count convolution and linear multiply-accumulates per image, as the reference does. \
      'block taps' is the number of MFD terms of the 'blocks' placement (every post-ReLU \
      activation; 49 for ResNet50, as the authors' code).
      """)

  @Option(help: "Classifier width (100 for CIFAR-100 / FaceScrub, 10 for CIFAR-10, 200 for Tiny ImageNet).")
  var classes: Int = 100

  @Flag(help: "Print JSON instead of a table.")
  var json = false

  func validate() throws {
    guard classes >= 1 else { throw ValidationError("--classes must be at least 1, got \(classes)") }
  }

  func run() throws {
    let summaries = try Architecture.allCases.map { try ModelSummary($0, classes: classes) }
    if json {
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
      print(String(decoding: try encoder.encode(summaries), as: UTF8.self))
    } else {
      print(ModelSummary.markdown(summaries))
    }
  }
}
