import Figures
import Foundation
import Pipeline
import Steps

/// The runners `mfd run` uses: every step kind of the paper's pipeline (fetch, preprocess, train,
/// evaluate from the Steps module; figure from Figures; aggregate from the pipeline), with the data root and mirror
/// from the environment (`MFD_DATA_ROOT`, default `<repository>/data`; `MFD_DATA_MIRROR`).
enum StepRunnerCatalog {
  static func registry(repository: URL) -> StepRunnerRegistry {
    var registry = StepRunnerRegistry.complete(.fromEnvironment(repository: repository))
    registry.register(FigureStepRunner(), for: .figure)
    return registry
  }
}
