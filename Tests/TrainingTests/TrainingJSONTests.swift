import Foundation
import Testing
import Training

/// Training records survive non-finite numbers (a diverged run) instead of failing to encode.
@Suite struct TrainingJSONTests {
  struct Record: Codable, Equatable {
    var loss: Double
    var correlation: Double
  }

  @Test func nanAndInfinityRoundTripAsStrings() throws {
    let data = try TrainingJSON.encoder().encode(Record(loss: .nan, correlation: .infinity))
    #expect(String(decoding: data, as: UTF8.self).contains("\"nan\""))
    let back = try TrainingJSON.decoder().decode(Record.self, from: data)
    #expect(back.loss.isNaN && back.correlation == .infinity)
  }
}
