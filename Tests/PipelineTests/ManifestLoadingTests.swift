import Foundation
import Testing
@testable import Pipeline

@Suite struct ManifestLoadingTests {
  private var manifestsDirectory: URL { repositoryRoot.appendingPathComponent("manifests") }

  @Test func table5ManifestHasTheFullGridAndAll24PublishedValues() throws {
    let manifest = try ManifestLoader.load(path: manifestsDirectory.appendingPathComponent("table5.yaml").path)
    #expect(manifest.table.id == "table5")
    #expect(manifest.models == ["resnext50_32x4d", "densenet121", "mobilenet_v2"])
    #expect(manifest.datasets == ["cifar10", "cifar100", "tiny_imagenet", "facescrub"])
    #expect(manifest.losses.map(\.tag) == ["softmax", "mfd1"])
    #expect(manifest.losses[1].lambda == 1 && manifest.losses[1].placement == .stages)
    #expect(manifest.cells.count == 24)
    #expect(manifest.published?.entries.count == 24)
    #expect(manifest.published?[ReportCellKey(CellKey(model: "mobilenet_v2", dataset: "tiny_imagenet", loss: "mfd1"), metric: "top1_accuracy")]?.value == 49.14)
    #expect(manifest.published?[ReportCellKey(CellKey(model: "resnext50_32x4d", dataset: "cifar10", loss: "softmax"), metric: "top1_accuracy")]?.value == 94.05)
  }

  @Test func paperProfileIsThePapersRecipe() throws {
    let manifest = try ManifestLoader.load(path: manifestsDirectory.appendingPathComponent("table5.yaml").path)
    let settings = try manifest.resolveProfile("paper").settings
    #expect(settings.values["optimizer.lr"] == .double(0.1))
    #expect(settings.values["optimizer.momentum"] == .double(0.9))
    #expect(settings.values["optimizer.weight_decay"] == .double(0.0005))
    #expect(settings.epochs == 100)
    #expect(settings.values["schedule.milestones"] == .array([.int(30), .int(60), .int(90)]))
    #expect(settings.values["schedule.gamma"] == .double(0.1))
    #expect(settings.batchSize == 128)
    #expect(settings.values["data.augmentation.pad_crop"] == .int(4))
    #expect(settings.values["data.augmentation.flip"] == .bool(true))
    #expect(settings.seeds == [0, 1, 2])
    #expect(settings.widthMultiplier == 1 && settings.trainSubset == nil)
  }

  @Test(arguments: ["quick", "smoke"])
  func reducedProfilesDifferFromThePaperAndSaySo(_ name: String) throws {
    let manifest = try ManifestLoader.load(path: manifestsDirectory.appendingPathComponent("table5.yaml").path)
    let reduced = try manifest.resolveProfile(name), paper = try manifest.resolveProfile("paper")
    let differences = reduced.settings.differences(from: paper.settings)
    #expect(differences.contains { $0.hasPrefix("model.width_multiplier") })
    #expect(differences.contains { $0.hasPrefix("data.train_subset") })
    #expect(differences.contains { $0.hasPrefix("schedule.epochs") })
    #expect(reduced.note != nil)
  }

  @Test func demoManifestHasNoPublishedValuesAndDefaultsToItsDemoProfile() throws {
    let manifest = try ManifestLoader.load(path: manifestsDirectory.appendingPathComponent("demo.yaml").path)
    #expect(manifest.published == nil)
    #expect(manifest.datasets == ["fashion_mnist"])
    #expect(manifest.defaultProfile == "demo")
    #expect(try manifest.resolveProfile("demo").settings.seeds == [0, 1, 2])
  }

  @Test func manifestProfileOverridesTheSharedFileKeyByKey() throws {
    let directory = TemporaryDirectory()
    let text = Fixtures.manifest() + "profiles:\n  smoke:\n    schedule: {epochs: 2}\n"
    let manifest = try Fixtures.load(directory, text: text)
    let smoke = try manifest.resolveProfile("smoke").settings
    #expect(smoke.epochs == 2)
    #expect(smoke.values["model.width_multiplier"] == .double(0.125))  // From the shared file.
    #expect(smoke.values["optimizer.lr"] == .double(0.1))  // Inherited from paper.
  }

  @Test func setOverridesAreTypedByTheSchema() throws {
    let layer = try SettingOverride.layer(from: ["optimizer.lr=0.05", "schedule.epochs=3", "seeds=0,4",
                                                 "data.train_subset=null", "data.augmentation.flip=false"])
    #expect(layer.entries["optimizer.lr"]?.value == .double(0.05))
    #expect(layer.entries["schedule.epochs"]?.value == .int(3))
    #expect(layer.entries["seeds"]?.value == .array([.int(0), .int(4)]))
    #expect(layer.entries["data.train_subset"]?.value == .null)
    #expect(layer.entries["data.augmentation.flip"]?.value == .bool(false))
  }

  @Test(arguments: [
    ("optimizer.lrate=0.1", "optimizer.lrate", "did you mean 'optimizer.lr'"),
    ("schedule.epochs=three", "schedule.epochs", "expected an integer"),
    ("schedule.epochs=0", "schedule.epochs", "below the minimum 1"),
    ("optimizer.lr", "optimizer.lr", "expected key=value"),
    ("optimizer.name=adam", "optimizer.name", "one of sgd"),
    ("seeds=", "seeds", "list is empty"),
  ])
  func badSetOverridesNameTheKey(_ assignment: String, _ key: String, _ message: String) {
    #expect {
      _ = try SettingOverride.layer(from: [assignment])
    } throws: { error in
      guard let error = error as? ManifestError else { return false }
      return error.keyPath == key && error.description.contains(message) && error.description.hasPrefix("--set")
    }
  }

  @Test func lambdaSpelledAsIntegerOrDecimalGivesTheSameStepKeys() throws {
    let directory = TemporaryDirectory()
    let a = try Fixtures.sweep(directory, text: Fixtures.manifest())
    let b = try Fixtures.sweep(directory, text: Fixtures.manifest().replacingOccurrences(of: "lambda: 1,", with: "lambda: 1.0,"))
    #expect(a.graph.steps == b.graph.steps)
  }
}
