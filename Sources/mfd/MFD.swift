import ArgumentParser

@main
struct MFD: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "mfd",
    abstract: "Reproduce the MFD-loss paper: train CNNs on the CPU and compare with its tables.",
    version: "0.1.0",
    subcommands: [
      PlanCommand.self, RunCommand.self, StatusCommand.self, VerifyCommand.self, ReportCommand.self,
      DiffCommand.self, GCCommand.self, CancelCommand.self, ExecStepCommand.self, Train.self, DataCommand.self, Models.self, FigureCommand.self, Bench.self, BenchStep.self,
    ]
  )
}
