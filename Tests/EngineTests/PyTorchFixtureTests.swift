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
