/// The test split: fixed order, no augmentation, every sample in exactly one batch (the last
/// batch may be smaller). The same index always gives the same batch.
public protocol EvaluationData {
  /// Number of batches covering the split (≥ 1).
  var batchCount: Int { get }
  /// Number of images in the split: the denominator of top-1 accuracy.
  var sampleCount: Int { get }
  /// Batch `index` (0..<batchCount).
  func batch(index: Int) throws -> LabelledBatch
}
