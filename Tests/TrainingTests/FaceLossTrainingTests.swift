import Engine
import Foundation
import Kernels
import Models
import Testing
import Training

/// Table VI's face losses in a real training run: a tiny ResNet50 (width 0.125, 8×8 synthetic
/// images, 4 classes) with MFD at the five stages, trained for a few epochs.
@Suite struct FaceLossTrainingTests {
  static func configuration(_ head: HeadConfiguration, epochs: Int = 4) -> TrainingConfiguration {
    TrainingConfiguration(
      model: ModelConfiguration(architecture: .resnet50, classes: 4, widthMultiplier: 0.125, mfdPlacement: .stages,
                                head: head),
      epochs: epochs, schedule: StepSchedule(base: 0.05, milestones: [], gamma: 0.1), seed: 3)
  }

  static let heads: [HeadConfiguration] = [
    HeadConfiguration(loss: .center, centerLambda: 0.1),
    HeadConfiguration(loss: .am_softmax),
    HeadConfiguration(loss: .arcface),
  ]

  /// The head's loss falls from the first epoch to the last, with the MFD taps active; the
  /// center loss's own term is reported and falls too (the centres follow the embeddings).
  /// Six epochs: after four the center-loss run had fallen to 0.80–0.81× of its first epoch,
  /// on the threshold, and any change of rounding (a new convolution kernel) moved it across;
  /// after six it is at 0.60×, AM-Softmax at 0.09×, ArcFace at 0.30×.
  @Test(arguments: 0..<3) func trainingReducesTheLoss(head index: Int) throws {
    // A run's bits depend on the thread count (oneDNN computes the stem convolution and splits
    // its weight gradient by thread), and step runners in other suites leave the process-wide
    // count at theirs: pin it, so this trajectory does not depend on which test ran before.
    Threading.setThreadCount(1)
    let head = Self.heads[index]
    let (train, test) = TrainingFixtures.problem(side: 8, batches: 8, batch: 16, testCount: 32)
    let run = try TrainingRun(configuration: Self.configuration(head, epochs: 6), training: train, evaluation: test, checkpoints: nil)
    let history = try TrainingFixtures.finished(run.run()).history
    let losses = history.map(\.trainCrossEntropy)
    #expect(losses.allSatisfy { $0.isFinite })
    #expect(losses.last! < 0.8 * losses.first!, "\(head.loss): train loss per epoch \(losses)")
    #expect(history.allSatisfy { $0.trainMFD.count == 5 && $0.testCrossEntropy.isFinite })
    if head.loss == .center {
      let center = history.compactMap(\.trainCenterLoss)
      #expect(center.count == history.count && center.last! < center.first!, "center loss per epoch \(center)")
    } else {
      #expect(history.allSatisfy { $0.trainCenterLoss == nil })
    }
  }

  /// A face run checkpoints and resumes like a softmax one: the centres are part of the saved
  /// state, and a run stopped after epoch 1 ends with the same bits as one never stopped.
  @Test func centerLossRunResumesBitIdentically() throws {
    let configuration = Self.configuration(HeadConfiguration(loss: .center, centerLambda: 0.1), epochs: 2)
    let straight = try TrainingFixtures.run(configuration, directory: nil)
    _ = try TrainingFixtures.finished(straight.run())

    let directory = TrainingFixtures.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let first = try TrainingFixtures.run(configuration, directory: directory)
    let token = CancellationToken()
    _ = try first.run(cancellation: token) { event in if case .epoch = event { token.cancel() } }
    let resumed = try TrainingFixtures.run(configuration, directory: directory)
    _ = try TrainingFixtures.finished(resumed.run(resume: true))
    let expected = TrainingFixtures.state(straight.network)
    #expect(expected["center.centers"]?.contains { $0 != 0 } == true)
    #expect(TrainingFixtures.state(resumed.network) == expected)
  }
}
