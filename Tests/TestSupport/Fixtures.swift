import Foundation

/// The committed golden files (`Tests/EngineTests/Fixtures`), found relative to this source file so
/// tests run from a clean clone without resource bundles.
public func fixtureURL(_ name: String) -> URL {
  URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent()
    .deletingLastPathComponent()
    .appendingPathComponent("EngineTests/Fixtures/\(name).safetensors")
}
