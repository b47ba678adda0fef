import Pipeline

/// The runners `mfd run` can use. The Steps module registers fetch, preprocess, train and evaluate
/// here; until then only the pipeline's own aggregate step has one, and `mfd run` refuses to start
/// a sweep whose steps have none (it never fakes a result).
enum StepRunnerCatalog {
  static var registry: StepRunnerRegistry { StepRunnerRegistry.builtIn }
}
