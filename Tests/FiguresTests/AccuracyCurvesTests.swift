import Figures
import Foundation
import Models
import Plots
import Testing

@Suite struct AccuracyCurvesTests {
  @Test func runsOfOneLossAreAveragedWithAMinMaxBand() throws {
    let folder = try FigureFixtures.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let runs = try [
      (MFDPlacement.none, UInt64(0), [0.2, 0.4, 0.5]), (.none, 1, [0.3, 0.5, 0.6]),
      (.stages, 0, [0.25, 0.5, 0.7]), (.stages, 1, [0.35, 0.6, 0.8]),
    ].map { placement, seed, accuracies in
      try TrainedRun(at: FigureFixtures.writeRun(
        FigureFixtures.result(FigureFixtures.model(placement), seed: seed, accuracies: accuracies),
        in: folder.appendingPathComponent("train-\(placement.rawValue)-s\(seed)")))
    }
    let curves = try AccuracyCurves.curves(runs.reversed())
    #expect(curves.map(\.loss.text) == ["Softmax", "Softmax + MFD (λ=1)"])
    #expect(curves[0].seeds == [0, 1] && curves[0].epochs == [1, 2, 3])
    #expect(zip(curves[1].mean, [30.0, 55, 75]).allSatisfy { abs($0 - $1) < 1e-9 })
    #expect(zip(curves[1].low, [25.0, 50, 70]).allSatisfy { abs($0 - $1) < 1e-9 })
    #expect(zip(curves[1].high, [35.0, 60, 80]).allSatisfy { abs($0 - $1) < 1e-9 })
  }

  @Test func writesPNGAndSVGWithOneCurvePerLoss() throws {
    let folder = try FigureFixtures.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let softmax = try FigureFixtures.writeRun(
      FigureFixtures.result(FigureFixtures.model(.none), seed: 0, accuracies: [0.1, 0.3, 0.45, 0.5]),
      in: folder.appendingPathComponent("softmax"))
    let mfd = try FigureFixtures.writeRun(
      FigureFixtures.result(FigureFixtures.model(.stages), seed: 0, accuracies: [0.12, 0.33, 0.5, 0.56]),
      in: folder.appendingPathComponent("mfd"))
    let files = try AccuracyCurves.write(runs: [softmax.appendingPathComponent("training.json"), mfd],
                                         stem: folder.appendingPathComponent("out/fig6"))
    let bytes = [UInt8](try Data(contentsOf: files.png))
    #expect(try PNGDecoder.header(bytes).colourType == 2)
    let svg = String(decoding: try Data(contentsOf: files.svg), as: UTF8.self)
    #expect(svg.components(separatedBy: "<polyline").count - 1 == 2)
    #expect(!svg.contains("<polygon"))  // one seed per loss: no bands
  }

  @Test func runsOfDifferentNetworksAreRefused() throws {
    let folder = try FigureFixtures.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let a = try TrainedRun(at: FigureFixtures.writeRun(
      FigureFixtures.result(FigureFixtures.model(.none, classes: 10), seed: 0, accuracies: [0.5]), in: folder.appendingPathComponent("a")))
    let b = try TrainedRun(at: FigureFixtures.writeRun(
      FigureFixtures.result(FigureFixtures.model(.stages, classes: 100), seed: 0, accuracies: [0.5]), in: folder.appendingPathComponent("b")))
    #expect(throws: FigureError.self) { try AccuracyCurves.curves([a, b]) }
    #expect(throws: FigureError.self) { try AccuracyCurves.curves([a, a]) }
  }
}
