/// What one epoch measured: the row of the run's history (Fig. 6 is `testAccuracy` per epoch;
/// Tables I and III are `stageCorrelation`; Table VII is `seconds` and `peakResidentBytes`).
public struct EpochMetrics: Sendable, Equatable, Codable {
  /// 1-based: the first epoch is 1.
  public var epoch: Int
  /// The SGD learning rate used throughout the epoch.
  public var learningRate: Double
  /// Mean classification loss over the epoch's training images (train mode): softmax
  /// cross-entropy, or AM-Softmax's / ArcFace's margin cross-entropy.
  public var trainCrossEntropy: Double
  /// Mean unweighted center loss L_C over the epoch's training images; nil without center loss.
  /// The total loss adds λ_c times it.
  public var trainCenterLoss: Double?
  /// Mean unweighted MFD loss of each tap over the epoch's training images, in network order
  /// (empty without MFD). The total loss adds λ times each.
  public var trainMFD: [TapLoss]
  /// Top-1 accuracy on the training batches as they were trained on (train mode, augmented).
  public var trainAccuracy: Double
  /// Top-1 accuracy over the whole test set (eval mode).
  public var testAccuracy: Double
  /// Mean softmax cross-entropy over the test set.
  public var testCrossEntropy: Double
  /// Each stage's mean |R_ij| (i ≠ j) averaged over the test batches; empty when not measured.
  public var stageCorrelation: [StageCorrelation]
  /// Wall-clock seconds of the epoch's training and evaluation (not its checkpoint write, which
  /// happens after this row is recorded in it).
  public var seconds: Double
  /// Seconds spent in training steps (data loading included).
  public var trainSeconds: Double
  /// Images trained on in the epoch.
  public var trainImages: Int
  /// Seconds spent evaluating on the test set.
  public var evaluationSeconds: Double
  /// Training images per second of training time.
  public var imagesPerSecond: Double
  /// The peak resident memory (VmHWM) since the run started in this process, bytes: the peak
  /// is reset when `TrainingRun.run` begins.
  public var peakResidentBytes: Int

  public init(
    epoch: Int, learningRate: Double, trainCrossEntropy: Double, trainMFD: [TapLoss],
    trainAccuracy: Double, testAccuracy: Double, testCrossEntropy: Double,
    stageCorrelation: [StageCorrelation], seconds: Double, trainSeconds: Double,
    trainImages: Int, evaluationSeconds: Double, imagesPerSecond: Double, peakResidentBytes: Int,
    trainCenterLoss: Double? = nil
  ) {
    self.trainCenterLoss = trainCenterLoss
    self.epoch = epoch
    self.learningRate = learningRate
    self.trainCrossEntropy = trainCrossEntropy
    self.trainMFD = trainMFD
    self.trainAccuracy = trainAccuracy
    self.testAccuracy = testAccuracy
    self.testCrossEntropy = testCrossEntropy
    self.stageCorrelation = stageCorrelation
    self.seconds = seconds
    self.trainSeconds = trainSeconds
    self.trainImages = trainImages
    self.evaluationSeconds = evaluationSeconds
    self.imagesPerSecond = imagesPerSecond
    self.peakResidentBytes = peakResidentBytes
  }
}

/// One MFD tap's mean loss.
public struct TapLoss: Sendable, Equatable, Codable {
  /// The tap's label: "S0"…"S4" for stages, the activation's dotted path for blocks.
  public var label: String
  public var loss: Double

  public init(label: String, loss: Double) {
    self.label = label
    self.loss = loss
  }
}

/// One stage's mean absolute channel correlation.
public struct StageCorrelation: Sendable, Equatable, Codable {
  /// "S0"…"S4".
  public var stage: String
  /// Mean over test batches of the mean |R_ij| over i ≠ j.
  public var meanAbsoluteCorrelation: Double

  public init(stage: String, meanAbsoluteCorrelation: Double) {
    self.stage = stage
    self.meanAbsoluteCorrelation = meanAbsoluteCorrelation
  }
}
