import Engine
import Models
import Testing
import TestSupport

@Suite struct StateDictNameTests {
  /// Our state names, shapes and order equal the PyTorch definitions' state_dict (torchvision's
  /// with the paper's stem; kuangliu's for mobilenet_v2_cifar), so weights exported from PyTorch
  /// load with no missing or unexpected keys.
  @Test(arguments: Architecture.allCases)
  func stateNamesAndShapesEqualPyTorch(architecture: Architecture) throws {
    let reference = try #require(try referenceStateDictNames()[architecture.rawValue])
    let network = try Network(ModelConfiguration(architecture: architecture, classes: 100))
    let ours = network.namedState().map { entry -> (String, [Int]) in
      switch entry.entry {
      case .parameter(let p): (entry.name, p.value.shape)
      case .buffer(let t): (entry.name, t.shape)
      case .counter: (entry.name, [])
      }
    }
    #expect(ours.map(\.0) == reference.map(\.name))
    let mismatched = zip(ours, reference).filter { $0.0.1 != $0.1.shape }.map(\.0.0)
    #expect(mismatched.isEmpty, "shapes differ: \(mismatched.prefix(5))")
  }
}

@Suite struct PyTorchEquivalenceTests {
  /// At a small width, from identical weights on the same batch: the logits of the forward pass
  /// and the losses before and after one SGD step (softmax alone, and softmax + MFD at the five
  /// stages) equal PyTorch's float64 values within 1e-4 relative. (Step-1 logits are not
  /// compared: see STEP_LR in model_fixtures.py for why float32 cannot pin them to 1e-4.)
  @Test(arguments: Architecture.allCases)
  func forwardAndOneStepMatchPyTorch(architecture: Architecture) throws {
    let f = try Fixture(url: modelFixtureURL("\(architecture.rawValue).safetensors"))
    let x = try f.tensor("x"), labels = try f.labels("labels")
    for (tag, placement) in [("softmax", MFDPlacement.none), ("mfd", .stages)] {
      let network = try Network(ModelConfiguration(
        architecture: architecture, classes: 100, widthMultiplier: try f.number("width"),
        mfdPlacement: placement, mfdLambda: Float(try f.number("lambda")), dropout: 0))
      applyFormulaWeights(network)
      let trainer = ClassifierTrainer(model: network, optimizer: SGD(
        parameters: network.namedParameters(), learningRate: Float(try f.number("lr")),
        momentum: Float(try f.number("momentum")), weightDecay: Float(try f.number("weight_decay"))))
      for step in 0..<2 {
        let result = try trainer.step(input: x, labels: labels)
        if step == 0 {
          let logits = try #require(trainer.lastLogits).values
          #expect(maxScaledError(logits, try f.tensor("\(tag).step0.logits").values) < 1e-4,
                  "\(architecture) \(tag) logits")
        }
        let losses = [result.crossEntropy] + result.mfd.map(\.loss)
        let expected = try f.tensor("\(tag).step\(step).losses").values
        #expect(maxRelativeError(losses, expected, floor: 1e-3) < 1e-4,
                "\(architecture) \(tag) losses at step \(step): \(losses) vs \(expected)")
      }
    }
  }
}
