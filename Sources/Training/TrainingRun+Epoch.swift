import Engine
import Kernels

extension TrainingRun {
  /// Trains epoch `epoch` (0-based) over every batch, then evaluates; nil when cancelled.
  func trainEpoch(
    _ epoch: Int, clock: inout RunTimeEstimator, cancellation: CancellationToken,
    progress: (TrainingEvent) -> Void
  ) throws(TrainingError) -> EpochMetrics? {
    let epochStart = ContinuousClock.now
    let learningRate = configuration.schedule.rate(epoch: epoch)
    optimizer.learningRate = Float(learningRate)
    reseedDropout(epoch: epoch)

    let batches = training.batchesPerEpoch
    var stream = training.batches(epoch: epoch, from: 0)
    var images = 0, correct = 0
    var crossEntropySum = 0.0, totalLossSum = 0.0, centerSum = 0.0
    var mfdSums = [Double](repeating: 0, count: trainer.taps.count)
    for index in 0..<batches {
      if cancellation.isCancelled { return nil }
      let stepStart = ContinuousClock.now
      let batch: LabelledBatch
      do {
        guard let next = try stream.next() else {
          throw TrainingError.data(epoch: epoch, batch: index,
                                   reason: "the epoch ended after \(index) of its \(batches) batches")
        }
        batch = next
      } catch let error as TrainingError {
        throw error
      } catch {
        throw .data(epoch: epoch, batch: index, reason: "\(error)")
      }
      let result: StepResult
      do { result = try trainer.step(input: batch.images, labels: batch.labels) } catch {
        throw .step(epoch: epoch, batch: index, error)
      }
      guard result.crossEntropy.isFinite, result.total.isFinite else {
        throw .diverged(epoch: epoch, batch: index, loss: result.total)
      }
      clock.recordStep(seconds: seconds(since: stepStart))

      let n = Double(batch.count)
      images += batch.count
      correct += result.correct
      crossEntropySum += Double(result.crossEntropy) * n
      centerSum += Double(result.center ?? 0) * n
      totalLossSum += Double(result.total) * n
      for (t, tap) in result.mfd.enumerated() { mfdSums[t] += Double(tap.loss) * n }
      let elapsed = seconds(since: epochStart)
      progress(.batch(BatchProgress(
        epoch: epoch + 1, epochs: configuration.epochs, batch: index + 1, batchesPerEpoch: batches,
        runningLoss: totalLossSum / Double(images), runningAccuracy: Double(correct) / Double(images),
        imagesPerSecond: elapsed > 0 ? Double(images) / elapsed : 0,
        etaSeconds: clock.remaining(steps: (configuration.epochs - epoch) * batches - index - 1,
                                    evaluations: configuration.epochs - epoch))))
    }
    let trainSeconds = seconds(since: epochStart)

    let evaluationStart = ContinuousClock.now
    let evaluator = Evaluator(network: network, measuresStageCorrelation: configuration.measuresStageCorrelation)
    guard let test = try evaluator.evaluate(evaluation, shouldStop: { cancellation.isCancelled }) else { return nil }
    let evaluationSeconds = seconds(since: evaluationStart)
    clock.recordEvaluation(seconds: evaluationSeconds)

    return EpochMetrics(
      epoch: epoch + 1, learningRate: learningRate,
      trainCrossEntropy: crossEntropySum / Double(images),
      trainMFD: zip(trainer.taps, mfdSums).map { TapLoss(label: $0.label, loss: $1 / Double(images)) },
      trainAccuracy: Double(correct) / Double(images),
      testAccuracy: test.accuracy, testCrossEntropy: test.crossEntropy,
      stageCorrelation: test.stageCorrelation, seconds: seconds(since: epochStart),
      trainSeconds: trainSeconds, trainImages: images, evaluationSeconds: evaluationSeconds,
      imagesPerSecond: trainSeconds > 0 ? Double(images) / trainSeconds : 0,
      peakResidentBytes: ResidentMemory.peakBytes(),
      trainCenterLoss: trainer.centerTaps.isEmpty ? nil : centerSum / Double(images))
  }

  /// Draws every dropout mask of epoch `epoch` from (seed, epoch) rather than from a stream that
  /// runs across epochs, so that a run resumed at an epoch boundary needs no generator state.
  private func reseedDropout(epoch: Int) {
    guard !dropoutLayers.isEmpty else { return }
    var generator = SeededGenerator(seed: configuration.seed,
                                    stream: [SeededGenerator.label("dropout-epoch"), UInt64(epoch)])
    for layer in dropoutLayers { layer.resetParameters(using: &generator) }
  }
}
