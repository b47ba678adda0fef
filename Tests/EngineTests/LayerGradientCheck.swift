import Engine
import Kernels
import TestSupport

/// Analytic against central-difference gradients of a layer, for L = Σ r ⊙ forward(x) with a
/// fixed random r: the largest scaled error for the input and for each named parameter.
///
/// Runs forward + backward once for the analytic gradients (parameter gradients zeroed first),
/// then re-runs forward per perturbed element. Keep inputs away from kinks (ReLU at 0, pooling
/// ties) by more than `step`.
func layerGradientErrors(
  _ layer: any Layer, input: Tensor, mode: Mode = .train, step: Float = 1e-2, seed: UInt64 = 99
) -> (input: Float, parameters: [(name: String, error: Float)]) {
  let output = layer.forward(input, mode: mode)
  let weights = randomTensor(output.shape, seed: seed)
  layer.zeroGradients()
  let analyticInput = layer.backward(weights).values
  let parameters = layer.namedParameters()
  let analyticParameters = parameters.map { $0.parameter.grad.values }

  let loss = { dot(layer.forward(input, mode: mode).pointer, weights.pointer, count: weights.count) }
  let numericInput = finiteDifferenceGradient(at: input.pointer, count: input.count, step: step, of: loss)
  var parameterErrors: [(name: String, error: Float)] = []
  for (index, (name, parameter)) in parameters.enumerated() {
    let numeric = finiteDifferenceGradient(
      at: parameter.value.pointer, count: parameter.value.count, step: step, of: loss)
    parameterErrors.append((name, maxScaledError(analyticParameters[index], numeric)))
  }
  return (maxScaledError(analyticInput, numericInput), parameterErrors)
}

/// A tensor of distinct values at least `spacing` apart, shuffled by `seed`: no pooling ties,
/// even after a finite-difference step smaller than spacing / 2.
func distinctTensor(_ shape: [Int], seed: UInt64, spacing: Float = 0.05) -> Tensor {
  let count = shape.reduce(1, *)
  var generator = SeededGenerator(seed: seed, stream: [SeededGenerator.label("distinct")])
  var values = (0..<count).map { Float($0 - count / 2) * spacing }
  values.shuffle(using: &generator)
  return Tensor(shape: shape, values: values)
}

/// Uniform values in ±[margin, 1]: at least `margin` away from ReLU's kink at 0.
func tensorAwayFromZero(_ shape: [Int], seed: UInt64, margin: Float = 0.1) -> Tensor {
  let t = randomTensor(shape, seed: seed)
  for i in 0..<t.count { t[i] = (t[i] < 0 ? -margin : margin) + t[i] * (1 - margin) }
  return t
}

/// The smallest |value| reaching a ReLU in `model`'s top-level chain on `input` (train mode), and
/// the chain's output values. Finite differences through a ReLU are only meaningful when this
/// margin is well above the step: otherwise a perturbation flips the kink and the check fails
/// for no fault of the backward pass.
func reluKinkMargin(_ model: Sequential, input: Tensor) -> (margin: Float, output: [Float]) {
  var x = input, margin = Float.infinity
  for (_, layer) in model.layers {
    if layer is ReLU { margin = min(margin, x.values.map { abs($0) }.min() ?? .infinity) }
    x = layer.forward(x, mode: .train)
  }
  return (margin, x.values)
}
