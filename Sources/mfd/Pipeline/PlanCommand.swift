import ArgumentParser
import Foundation
import Pipeline

struct PlanCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "plan",
    abstract: "List every step of a sweep, whether it runs and why, with a time estimate.",
    discussion: """
      Reasons: up to date, missing, config changed (names the settings), code changed, input \
      changed (names the inputs), incomplete (an attempt died; it resumes), corrupt (outputs differ \
      from their record). Estimates: FLOPs × images ÷ the machine's training throughput.
      """)

  @OptionGroup var options: PipelineOptions

  @Flag(help: "Show only the steps that will run.")
  var onlyToRun = false

  func run() throws {
    let started = Date()
    let sweep = try options.loadSweep()
    let plan = options.planner().plan(sweep.graph)
    print(PlanPrinter.render(plan, sweep: sweep, store: options.storeLayout, jobs: options.jobs, onlyToRun: onlyToRun))
    let elapsed = Date().timeIntervalSince(started)
    print(String(format: "planned in %.3f s", elapsed))
  }
}

/// The text of a plan: a header, one line per step, totals by reason.
enum PlanPrinter {
  static func render(_ plan: Plan, sweep: Sweep, store: StoreLayout, jobs: Int, onlyToRun: Bool) -> String {
    let toRun = plan.toRun
    let (serial, unknown) = plan.estimatedSerialSeconds
    var lines = [
      "\(sweep.manifest.table.id) at profile \(sweep.profile.name)\(sweep.profile.overridden ? " (with --set)" : ""), "
        + "store \(store.root.path): \(plan.entries.count) steps, \(toRun.count) to run, "
        + "\(plan.threadsPerStep) thread(s) per step",
    ]
    let idWidth = min(60, plan.entries.map(\.step.id.description.count).max() ?? 10)
    lines.append(pad("STEP", idWidth) + "  " + pad("KEY", 12) + "  " + pad("ESTIMATE", 9) + "  REASON")
    for entry in plan.entries where !onlyToRun || entry.willRun {
      let estimate = entry.estimatedSeconds.map { Duration.seconds($0).formattedShort } ?? "?"
      lines.append(pad(entry.step.id.description, idWidth) + "  " + pad(entry.key?.short ?? "(at launch)", 12) + "  "
        + pad(entry.willRun ? estimate : "-", 9) + "  " + entry.reason.description)
    }
    var counts: [String: Int] = [:]
    for entry in plan.entries { counts[entry.reason.label, default: 0] += 1 }
    lines.append("by reason: " + counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
    lines.append("estimated compute: \(Duration.seconds(serial).formattedShort) step-time"
      + " (≈ \(Duration.seconds(serial / Double(jobs)).formattedShort) wall with \(jobs) concurrent step(s))"
      + (unknown > 0 ? ", \(unknown) step(s) without an estimate" : "")
      + (plan.calibrationSamples > 0 ? "; scaled by the measured times of \(plan.calibrationSamples) finished step(s)"
                                     : "; from FLOPs at an assumed machine rate (no finished step to calibrate on yet)"))
    return lines.joined(separator: "\n")
  }

  static func pad(_ text: String, _ width: Int) -> String {
    text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
  }
}
