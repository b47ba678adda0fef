import Datasets
import Foundation
import Pipeline

/// `preprocess@<dataset>`: both splits decoded once into the uint8 caches training reads
/// (`train.mfdsplit`, `test.mfdsplit`: header, shape, labels, payload SHA-256), from the files
/// the fetch step verified. The decode runs in the shared data root, which keeps caches made
/// from the same source digests, and the caches are linked into the store.
public struct PreprocessStepRunner: StepRunner {
  public let environment: StepEnvironment

  public init(environment: StepEnvironment) { self.environment = environment }

  public var codeVersion: String { "preprocess-1" }

  public func run(_ context: StepContext) throws {
    let (descriptor, root) = try environment.dataset(for: context)
    var preparer = DatasetPreparer(descriptor: descriptor, root: root,
                                   fetcher: Fetcher(mirror: environment.mirror, verbose: false))
    preparer.splitSeed = 0
    context.progress(StepProgress(fraction: 0, message: "decoding \(descriptor.name)"))
    let headers = try preparer.preprocess()
    try context.cancellation.checkpoint()
    for split in DatasetPreparer.splits {
      try placeOutput(preparer.layout.cacheFile(split: split), in: context.outputDirectory)
    }
    let counts = headers.map { "\($0.split) \($0.count)" }.joined(separator: ", ")
    context.progress(StepProgress(fraction: 1, message: counts))
  }
}
