import Datasets
import Foundation
import Kernels
import Testing

/// Augmentation, normalisation, and batches as a pure function of (seed, epoch, batch index).
@Suite(.serialized) struct TrainingInputTests {
  private let images = ImageSet(count: 37, channels: 3, height: 8, width: 6, pixels: ImageFixtures.pixels(37 * 144, seed: 11),
                                labels: (0..<37).map { Int32($0 % 5) }, classNames: (0..<5).map(String.init))
  private let normalisation = Normalisation(mean: [0.4914, 0.4822, 0.4465], std: [0.2470, 0.2435, 0.2616], origin: "test")

  private func source(seed: UInt64 = 1, shuffle: Bool = true, augmentation: Augmentation = .paper, dropLast: Bool = true) -> BatchSource {
    BatchSource(images: images, normalisation: normalisation, batchSize: 8, seed: seed, shuffle: shuffle,
                augmentation: augmentation, dropLast: dropLast)
  }

  /// Reference: pad with raw 0, crop at (dy, dx), flip, then normalise — written the obvious way.
  private func reference(image: Int, draw: Augmentation.Draw, padding: Int) -> [Float] {
    let (c, h, w) = (3, 8, 6)
    var out: [Float] = []
    for ch in 0..<c {
      for y in 0..<h {
        for x in 0..<w {
          let cx = draw.flip ? w - 1 - x : x
          let (py, px) = (y + draw.dy, cx + draw.dx)  // in the padded image
          let (sy, sx) = (py - padding, px - padding)
          let raw = (sy >= 0 && sy < h && sx >= 0 && sx < w) ? images.pixels[image * 144 + ch * 48 + sy * w + sx] : 0
          out.append((Float(raw) / 255 - normalisation.mean[ch]) / normalisation.std[ch])
        }
      }
    }
    return out
  }

  @Test func testImagesAreOnlyNormalisedInOrder() {
    let test = source(shuffle: false, augmentation: .none, dropLast: false)
    #expect(test.batchCount == 5)
    let last = test.batch(epoch: 0, index: 4)
    #expect(last.count == 5 && last.sampleIndices == Array(32..<37))
    let identity = Augmentation.Draw(dy: 0, dx: 0, flip: false)
    for (i, sample) in last.sampleIndices.enumerated() {
      #expect(Array(last.images[i * 144..<(i + 1) * 144]) == reference(image: sample, draw: identity, padding: 0))
    }
  }

  @Test func augmentedImagesMatchPadCropFlipReference() {
    let train = source()
    let batch = train.batch(epoch: 2, index: 3)
    var generator = SeededGenerator(seed: 1, stream: [SeededGenerator.label("augment"), 2, 3])
    for (i, sample) in batch.sampleIndices.enumerated() {
      let draw = Augmentation.paper.draw(using: &generator)
      #expect(Array(batch.images[i * 144..<(i + 1) * 144]) == reference(image: sample, draw: draw, padding: 4))
      #expect(batch.labels[i] == images.labels[sample])
    }
  }

  @Test func cropOffsetsCoverTheWholeRangeAndFlipIsFair() {
    var generator = SeededGenerator(seed: 5)
    let draws = (0..<20_000).map { _ in Augmentation.paper.draw(using: &generator) }
    #expect(Set(draws.map(\.dy)) == Set(0...8) && Set(draws.map(\.dx)) == Set(0...8))
    let flips = Double(draws.filter(\.flip).count) / Double(draws.count)
    #expect(abs(flips - 0.5) < 0.02)
  }

  @Test func eachEpochIsAPermutationAndEpochsDiffer() {
    let train = source()
    let orders = (0..<3).map { train.order(epoch: $0) }
    for order in orders { #expect(order.sorted() == Array(0..<37)) }
    #expect(orders[0] != orders[1] && orders[1] != orders[2])
    #expect(source(seed: 2).order(epoch: 0) != orders[0])
  }

  @Test func batchDependsOnlyOnSeedEpochAndIndex() {
    // An uninterrupted run: every batch of epochs 0 and 1 in order.
    let straight = source()
    var uninterrupted: [Batch] = []
    for epoch in 0..<2 { for index in 0..<straight.batchCount { uninterrupted.append(straight.batch(epoch: epoch, index: index)) } }
    // A resumed run: a fresh source (new process) asked directly for epoch 1, batch 2 onwards.
    let resumed = source()
    for index in 2..<resumed.batchCount {
      #expect(resumed.batch(epoch: 1, index: index) == uninterrupted[straight.batchCount + index])
    }
    // Thread count does not change the content.
    Threading.setThreadCount(2)
    defer { Threading.setThreadCount(1) }
    #expect(source().batch(epoch: 0, index: 1) == uninterrupted[1])
  }

  @Test func prefetcherYieldsTheSameBatchesFromAnyStart() {
    let train = source()
    let prefetcher = BatchPrefetcher(source: train, epoch: 3, startBatch: 1, depth: 2)
    var got: [Batch] = []
    while let batch = prefetcher.next() { got.append(batch) }
    #expect(got == (1..<train.batchCount).map { train.batch(epoch: 3, index: $0) })
    #expect(prefetcher.next() == nil)
  }

  @Test func cancelledPrefetcherStopsHandingOutBatches() {
    let prefetcher = BatchPrefetcher(source: source(), epoch: 0, depth: 1)
    #expect(prefetcher.next() != nil)
    prefetcher.cancel()
    #expect(prefetcher.next() == nil)
  }

  @Test func lookupTableIsTheNormalisationFormula() {
    let table = normalisation.lookupTable()
    for c in 0..<3 {
      for p in [0, 1, 128, 255] {
        #expect(table[c * 256 + p] == (Float(p) / 255 - normalisation.mean[c]) / normalisation.std[c])
      }
    }
  }
}
