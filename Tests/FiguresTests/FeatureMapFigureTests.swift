import Figures
import Foundation
import Models
import Plots
import Testing

@Suite struct FeatureMapFigureTests {
  @Test func figureFromTwoSavedRunsHasOnePanelPerRunWithTheStagesChannels() throws {
    let folder = try FigureFixtures.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let split = try FigureFixtures.writeTestSplit(count: 4, in: folder.appendingPathComponent("preprocess"))
    let runs = try [(MFDPlacement.none, UInt64(1)), (.stages, 2)].map { placement, seed in
      try FigureFixtures.writeRun(FigureFixtures.result(FigureFixtures.model(placement), seed: seed, accuracies: [0.5]),
                                  in: folder.appendingPathComponent("train-\(placement.rawValue)"), weightsSeed: seed)
    }
    let request = FeatureMapFigure.Request(runs: runs, split: split, imageIndex: 3, stage: 1)
    let figure = try FeatureMapFigure.comparison(request)
    #expect(figure.panels.map(\.title) == ["Softmax", "Softmax + MFD (λ=1)"])
    // ResNet50 ×0.125 at 32×32: stage 1 is layer1's output, 256 / 8 = 32 channels of 32×32.
    #expect(figure.panels.allSatisfy { $0.grid.maps.channels == 32 && $0.grid.maps.height == 32 && $0.grid.count == 32 })
    #expect(figure.panels[0].grid.maps != figure.panels[1].grid.maps)
    #expect(figure.title.contains("test image 3") && figure.title.contains("class3"))

    let png = try FeatureMapFigure.write(request, stem: folder.appendingPathComponent("fig5"))
    let bytes = [UInt8](try Data(contentsOf: png))
    let header = try PNGDecoder.header(bytes)
    #expect(header.colourType == 2 && header.bitDepth == 8 && header.width == figure.canvas().width)
  }

  @Test func anImageIndexOutsideTheSplitIsRefused() throws {
    let folder = try FigureFixtures.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let split = try FigureFixtures.writeTestSplit(count: 2, in: folder)
    #expect(throws: FigureError.self) { try TestImage(split: split, index: 2) }
  }
}
