import Engine
import Kernels
import Testing
import TestSupport

@Suite struct ReLUTests {
  @Test func reluBackwardMatchesFiniteDifference() {
    let errors = layerGradientErrors(ReLU(), input: tensorAwayFromZero([2, 3, 4, 5], seed: 1))
    #expect(errors.input < 1e-2)
  }

  @Test func relu6BackwardMatchesFiniteDifference() {
    // Values in ±[0.1, 1] and shifted by 5.5: straddling both kinks, none within 0.05 of them.
    let x = tensorAwayFromZero([2, 3, 4, 5], seed: 2)
    for i in 0..<x.count where i % 2 == 0 { x[i] = x[i] * 0.4 + 5.5 }
    let errors = layerGradientErrors(ReLU6(), input: x)
    #expect(errors.input < 1e-2)
  }

  @Test func relu6ClampsAndMasksAtItsBoundaries() {
    let layer = ReLU6()
    let y = layer.forward(Tensor(shape: [6], values: [-1, 0, 2, 6, 6.5, 5.99]), mode: .train)
    #expect(y.values == [0, 0, 2, 6, 6, 5.99])
    let dx = layer.backward(Tensor(shape: [6], values: [1, 1, 1, 1, 1, 1]))
    #expect(dx.values == [0, 0, 1, 0, 0, 1])
  }

  @Test func outputAndGradientBuffersAreReused() {
    let layer = ReLU()
    let x = randomTensor([3, 4], seed: 3)
    let y1 = layer.forward(x, mode: .train), dx1 = layer.backward(x)
    let y2 = layer.forward(x, mode: .train), dx2 = layer.backward(x)
    #expect(y1 === y2 && dx1 === dx2 && y1 !== x)
  }
}

@Suite struct InPlaceActivationTests {
  /// In place, the activations overwrite their input and give the same output and gradient.
  @Test func inPlaceReLUAndReLU6MatchTheCopyingVersions() {
    let x = randomTensor([2, 3, 4, 4], seed: 8, in: -3...9)
    let dy = randomTensor(x.shape, seed: 9)
    for (copying, inPlace) in [(ReLU() as any Layer, ReLU(inPlace: true) as any Layer),
                               (ReLU6(), ReLU6(inPlace: true))] {
      let expected = copying.forward(x, mode: .train).values
      let expectedGrad = copying.backward(dy).values
      let input = x.copy()
      let output = inPlace.forward(input, mode: .train)
      #expect(output === input)
      #expect(output.values == expected)
      #expect(inPlace.backward(dy).values == expectedGrad)
    }
  }
}
