import Datasets
import Engine
import Foundation
import Kernels
import Models

/// How long the training input takes next to the training step it feeds.
public struct LoaderMeasurement: Sendable, Codable {
  public var batch: Int
  public var threads: Int
  /// Median ms to build one augmented, normalised batch on one thread (the prefetcher's way).
  public var buildMillisecondsSerial: Double
  /// Median ms with the batch spread over `threads` workers (no prefetcher).
  public var buildMillisecondsParallel: Double
  public var architecture: String
  /// Median seconds of the network's training step fed from the prefetcher.
  public var stepSeconds: Double
  /// Mean ms the training loop waited in `BatchPrefetcher.next()` per step.
  public var waitMillisecondsPerStep: Double

  /// Loader time the step actually sees, as a fraction of the step.
  public var waitFraction: Double { waitMillisecondsPerStep / 1000 / stepSeconds }

  public var markdown: String {
    """
    | batch | threads | build ms (1 thread) | build ms (\(threads) threads) | \(architecture) step s | wait per step with prefetch (ms) | wait / step |
    |---|---|---|---|---|---|---|
    | \(batch) | \(threads) | \(fmt(buildMillisecondsSerial, 2)) | \(fmt(buildMillisecondsParallel, 2)) | \(fmt(stepSeconds, 3)) | \(fmt(waitMillisecondsPerStep, 3)) | \(pct(waitFraction)) |
    """
  }
}

/// Measures CIFAR-shaped batches (3×32×32, pad-4 crop + flip + normalisation) built directly and
/// through the prefetcher while `architecture` trains on them, on `images` synthetic images.
public func measureLoader(architecture: Architecture, batch: Int, steps: Int, threads: Int,
                          images count: Int = 10_000) throws -> LoaderMeasurement {
  Threading.setThreadCount(threads)
  var generator = SeededGenerator(seed: 3)
  let pixels = (0..<count * 3072).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
  let images = ImageSet(count: count, channels: 3, height: 32, width: 32, pixels: pixels,
                        labels: (0..<count).map { Int32($0 % 100) }, classNames: (0..<100).map(String.init))
  let source = BatchSource(images: images, normalisation: Catalogue.cifar100.normalisation, batchSize: batch, seed: 0,
                           shuffle: true, augmentation: .paper, dropLast: true)
  var index = 0
  let serial = medianSeconds(warmup: 2, repetitions: 15) {
    _ = source.batch(epoch: 0, index: index % source.batchCount, parallel: false)
    index += 1
  }
  let parallel = medianSeconds(warmup: 2, repetitions: 15) {
    _ = source.batch(epoch: 0, index: index % source.batchCount, parallel: true)
    index += 1
  }

  let network = try Network(ModelConfiguration(architecture: architecture, classes: 100, mfdPlacement: .none))
  network.initialise(seed: 0)
  let trainer = ClassifierTrainer(model: network, optimizer: SGD(
    parameters: network.namedParameters(), learningRate: 0.01, momentum: 0.9, weightDecay: 5e-4))
  let prefetcher = BatchPrefetcher(source: source, epoch: 1, depth: 2)
  var waited = 0.0
  var stepTimes: [Double] = []
  for step in 0...steps {  // step 0 warms up and is not counted
    let before = monotonicSeconds()
    guard let next = prefetcher.next() else { break }
    let got = monotonicSeconds()
    let input = Tensor(shape: [next.count, 3, 32, 32], values: next.images)
    _ = try trainer.step(input: input, labels: next.labels)
    if step > 0 {
      waited += got - before
      stepTimes.append(monotonicSeconds() - got)
    }
  }
  prefetcher.cancel()
  stepTimes.sort()
  return LoaderMeasurement(
    batch: batch, threads: threads, buildMillisecondsSerial: serial * 1000, buildMillisecondsParallel: parallel * 1000,
    architecture: architecture.rawValue, stepSeconds: stepTimes[stepTimes.count / 2],
    waitMillisecondsPerStep: waited * 1000 / Double(stepTimes.count))
}
