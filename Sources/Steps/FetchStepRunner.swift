import Datasets
import Foundation
import Pipeline

/// `fetch@<dataset>`: the dataset's published files, downloaded (or found in the data root, or
/// in the mirror) and verified by size, SHA-256 and MD5, as the step's outputs. FaceScrub cannot
/// be downloaded: its step records the local folder's checksum list, which `mfd data` documents.
/// With `source: stand_in` the files are generated look-alikes instead (`StandInDataset`).
public struct FetchStepRunner: StepRunner {
  public let environment: StepEnvironment

  public init(environment: StepEnvironment) { self.environment = environment }

  /// The stand-in generator's version is part of it: its bytes are this step's outputs.
  public var codeVersion: String { "fetch-1+stand-in-\(StandInDataset.version)" }

  public func run(_ context: StepContext) throws {
    let (descriptor, root) = try environment.dataset(for: context)
    let layout = DatasetLayout(root: root, name: descriptor.name)
    if descriptor.format == .faceScrubFolder {
      let folder = layout.folder.appendingPathComponent("images", isDirectory: true)
      let list = folder.appendingPathComponent(FaceScrubInstructions.checksumFileName)
      guard FileManager.default.fileExists(atPath: list.path) else {
        throw DatasetError.notProvided(dataset: descriptor.name, root: folder.path,
                                       instructions: FaceScrubInstructions.text(folder: folder.path))
      }
      try placeOutput(list, in: context.outputDirectory)
      return
    }
    context.progress(StepProgress(fraction: 0, message: "fetching \(descriptor.files.count) file(s)"))
    let files = try Fetcher(mirror: environment.mirror, verbose: false).fetch(descriptor, layout: layout)
    for file in files { try placeOutput(file, in: context.outputDirectory) }
    context.progress(StepProgress(fraction: 1, message: "\(files.count) file(s) verified"))
  }
}
