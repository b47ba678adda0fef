import Engine
import Testing
import TestSupport

/// Our layers against golden values computed by PyTorch in float64
/// (`scripts/fixtures/engine_fixtures.py`).
@Suite struct PyTorchFixtureTests {
  @Test func batchNormTrainingStepMatchesPyTorch() throws {
    let f = try Fixture("batchnorm_train_step")
    let x = try f.tensor("x")
    let bn = BatchNorm2d(channels: x.c)
    bn.weight.value.assign(try f.tensor("weight"))
    bn.bias.value.assign(try f.tensor("bias"))
    bn.runningMean.assign(try f.tensor("running_mean_before"))
    bn.runningVariance.assign(try f.tensor("running_var_before"))
    let y = bn.forward(x, mode: .train)
    let dx = bn.backward(try f.tensor("dy"))
    #expect(maxRelativeError(y.values, try f.tensor("y").values) < 1e-5)
    #expect(maxRelativeError(dx.values, try f.tensor("dx").values) < 1e-5)
    #expect(maxRelativeError(bn.weight.grad.values, try f.tensor("dweight").values) < 1e-5)
    #expect(maxRelativeError(bn.bias.grad.values, try f.tensor("dbias").values) < 1e-5)
    #expect(maxRelativeError(bn.runningMean.values, try f.tensor("running_mean_after").values) < 1e-6)
    #expect(maxRelativeError(bn.runningVariance.values, try f.tensor("running_var_after").values) < 1e-6)
    #expect(bn.batchesTracked.value == 1)
  }

  @Test func crossEntropyMatchesPyTorch() throws {
    let f = try Fixture("cross_entropy")
    let loss = SoftmaxCrossEntropy()
    let value = try loss.forward(logits: try f.tensor("logits"), labels: try f.labels("labels"))
    let expected = try f.tensor("loss")[0]
    #expect(abs(value - expected) / expected < 1e-6)
    #expect(maxRelativeError(loss.backward().values, try f.tensor("dlogits").values) < 1e-6)
  }
}

@Suite struct ConvolutionFixtureTests {
  @Test(arguments: ["conv_grouped", "conv_stride2", "conv_depthwise", "conv_1x1", "conv_winograd"])
  func convolutionMatchesPyTorch(name: String) throws {
    let f = try Fixture(name)
    let x = try f.tensor("x"), weight = try f.tensor("weight")
    let stride = Int(try f.number("stride")), padding = Int(try f.number("padding"))
    let conv = Conv2d(inChannels: x.c, outChannels: weight.shape[0], kernelSize: weight.shape[2],
                      stride: stride, padding: padding, groups: Int(try f.number("groups")),
                      bias: f.file.tensors["bias"] != nil)
    conv.weight.value.assign(weight)
    if let bias = conv.bias { bias.value.assign(try f.tensor("bias")) }
    if name == "conv_winograd" {
      guard case .winograd = try conv.algorithm(for: x.shape) else {
        Issue.record("conv_winograd must exercise the Winograd kernel")
        return
      }
    }
    let y = conv.forward(x, mode: .train)
    let dx = conv.backward(try f.tensor("dy"))
    #expect(y.shape == (try f.tensor("y").shape))
    #expect(maxScaledError(y.values, try f.tensor("y").values) < 1e-5)
    #expect(maxScaledError(dx.values, try f.tensor("dx").values) < 1e-5)
    #expect(maxScaledError(conv.weight.grad.values, try f.tensor("dweight").values) < 1e-5)
    if let bias = conv.bias {
      #expect(maxScaledError(bias.grad.values, try f.tensor("dbias").values) < 1e-5)
    }
  }
}
