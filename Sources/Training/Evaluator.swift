import Engine
import Models

/// What one pass over the test set measured.
public struct EvaluationMetrics: Sendable, Equatable, Codable {
  /// Correct top-1 predictions / samples.
  public var accuracy: Double
  public var correct: Int
  public var samples: Int
  /// Mean classification loss over the samples: softmax cross-entropy, or for AM-Softmax and
  /// ArcFace their margin cross-entropy as trained (the center loss's term is not included).
  public var crossEntropy: Double
  /// Each stage's mean |R_ij| (i ≠ j), averaged over the test batches with at least two
  /// images; empty when not measured.
  public var stageCorrelation: [StageCorrelation]
}

/// Evaluates a network on the test set in eval mode (BN running statistics, no dropout, MFD taps
/// inactive): exact top-1 over every sample, mean cross-entropy, and optionally the per-stage
/// mean absolute channel correlation of the paper's Tables I and III.
///
/// The correlation uses the same R as the MFD loss (centring by the batch-mean map), so it is a
/// per-batch statistic; the reference computes it per test batch and averages (mfd-reference.md
/// §6), and so do we. A one-image batch has no defined R (its centred values are all zero) and is
/// left out of that average.
public struct Evaluator {
  public let network: Network
  public let measuresStageCorrelation: Bool
  /// The network's training loss (its head's); top-1 is the argmax of the network's output.
  private let crossEntropy: any ClassificationLoss

  public init(network: Network, measuresStageCorrelation: Bool) {
    self.network = network
    self.measuresStageCorrelation = measuresStageCorrelation
    crossEntropy = network.configuration.head.makeLoss()
  }

  /// One pass over `data`; nil when `shouldStop` turned true between two batches.
  /// - Throws: `TrainingError.data` when a batch cannot be loaded, has a label outside the
  ///   classifier or a shape the network cannot take.
  public func evaluate(
    _ data: any EvaluationData, shouldStop: () -> Bool = { false }
  ) throws(TrainingError) -> EvaluationMetrics? {
    for probe in network.stageProbes { probe.recordsCorrelationInEval = measuresStageCorrelation }
    defer { for probe in network.stageProbes { probe.recordsCorrelationInEval = false } }

    var correct = 0, samples = 0
    var lossSum = 0.0
    var correlationSums = [Double](repeating: 0, count: network.stageProbes.count)
    var correlationBatches = 0
    for index in 0..<data.batchCount {
      if shouldStop() { return nil }
      let batch: LabelledBatch
      do { batch = try data.batch(index: index) } catch {
        throw .data(epoch: nil, batch: index, reason: "\(error)")
      }
      guard batch.count >= 1 else { throw .data(epoch: nil, batch: index, reason: "the batch is empty") }
      do { _ = try network.outputShape(for: batch.images.shape) } catch {
        throw .data(epoch: nil, batch: index, reason: error.description)
      }
      let logits = network.forward(batch.images, mode: .eval)
      let loss: Float
      do { loss = try crossEntropy.forward(logits: logits, labels: batch.labels) } catch {
        throw .data(epoch: nil, batch: index, reason: error.description)
      }
      lossSum += Double(loss) * Double(batch.count)
      correct += crossEntropy.correct
      samples += batch.count
      if measuresStageCorrelation, batch.count >= 2 {
        for (s, probe) in network.stageProbes.enumerated() {
          correlationSums[s] += Double(probe.lastMeanAbsoluteCorrelation ?? 0)
        }
        correlationBatches += 1
      }
    }
    guard samples == data.sampleCount else {
      throw .data(epoch: nil, batch: data.batchCount - 1,
                  reason: "the batches hold \(samples) images but the split declares \(data.sampleCount)")
    }
    let stages = correlationBatches == 0 ? [] : zip(network.stageProbes, correlationSums).map {
      StageCorrelation(stage: $0.label, meanAbsoluteCorrelation: $1 / Double(correlationBatches))
    }
    return EvaluationMetrics(
      accuracy: samples == 0 ? 0 : Double(correct) / Double(samples), correct: correct,
      samples: samples, crossEntropy: samples == 0 ? 0 : lossSum / Double(samples),
      stageCorrelation: stages)
  }
}
