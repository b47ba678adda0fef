import Engine
import Kernels

/// A test-only 1×1 convolution without bias (naive loops): lets composite tests build
/// torchvision-shaped blocks (`conv1`, `downsample.0`) without depending on Conv2d.
final class ChannelMix: Layer {
  let inChannels, outChannels: Int
  let weight: Parameter
  private var input: Tensor?

  init(_ inChannels: Int, _ outChannels: Int) {
    self.inChannels = inChannels
    self.outChannels = outChannels
    weight = Parameter(zeros: [outChannels, inChannels, 1, 1])
  }

  func outputShape(for inputShape: [Int]) throws(ShapeError) -> [Int] {
    guard inputShape.count == 4, inputShape[1] == inChannels else {
      throw ShapeError(layer: "ChannelMix", expected: "[n, \(inChannels), h, w]", actual: inputShape)
    }
    return [inputShape[0], outChannels, inputShape[2], inputShape[3]]
  }

  func forward(_ input: Tensor, mode: Mode) -> Tensor {
    self.input = input
    let spatial = input.h * input.w
    let out = Tensor(zeros: [input.n, outChannels, input.h, input.w])
    for b in 0..<input.n {
      for o in 0..<outChannels {
        for i in 0..<inChannels {
          for p in 0..<spatial {
            out[(b * outChannels + o) * spatial + p] += weight.value[o * inChannels + i] * input[(b * inChannels + i) * spatial + p]
          }
        }
      }
    }
    return out
  }

  func backward(_ gradOutput: Tensor) -> Tensor {
    let input = input!
    let spatial = input.h * input.w
    let dx = Tensor(zeros: input.shape)
    for b in 0..<input.n {
      for o in 0..<outChannels {
        for i in 0..<inChannels {
          for p in 0..<spatial {
            let dy = gradOutput[(b * outChannels + o) * spatial + p]
            weight.grad[o * inChannels + i] += dy * input[(b * inChannels + i) * spatial + p]
            dx[(b * inChannels + i) * spatial + p] += dy * weight.value[o * inChannels + i]
          }
        }
      }
    }
    return dx
  }

  func localState() -> [(name: String, entry: StateEntry)] { [("weight", .parameter(weight))] }

  func resetParameters(using generator: inout SeededGenerator) {
    for i in 0..<weight.value.count { weight.value[i] = generator.nextFloat(in: -1, 1) }
  }
}
