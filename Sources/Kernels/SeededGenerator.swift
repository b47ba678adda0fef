/// xoshiro256** seeded through SplitMix64: fast, well-distributed, and fully determined by its
/// seed and the stream labels it was derived with.
///
/// One run seed fixes everything: initialisation, data order and augmentation each draw from a
/// stream derived as `SeededGenerator(seed:, stream:)`, so adding a consumer never shifts another.
public struct SeededGenerator: RandomNumberGenerator, Sendable, Equatable, Codable {
  public private(set) var state: [UInt64]

  /// A generator for `seed`, optionally separated into independent named streams.
  public init(seed: UInt64, stream: [UInt64] = []) {
    var mix = seed
    for label in stream { mix = SeededGenerator.splitMix(&mix) ^ label &* 0x9E37_79B9_7F4A_7C15 }
    var s = [UInt64](repeating: 0, count: 4)
    for i in 0..<4 { s[i] = SeededGenerator.splitMix(&mix) }
    if s.allSatisfy({ $0 == 0 }) { s[0] = 1 }
    state = s
  }

  /// A generator resuming from a saved `state` (four words, not all zero).
  public init?(state: [UInt64]) {
    guard state.count == 4, state.contains(where: { $0 != 0 }) else { return nil }
    self.state = state
  }

  /// A stable 64-bit label for a string, for use in `stream:` (FNV-1a).
  public static func label(_ text: String) -> UInt64 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
    return hash
  }

  private static func splitMix(_ x: inout UInt64) -> UInt64 {
    x &+= 0x9E37_79B9_7F4A_7C15
    var z = x
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  public mutating func next() -> UInt64 {
    let result = rotl(state[1] &* 5, 7) &* 9
    let t = state[1] << 17
    state[2] ^= state[0]
    state[3] ^= state[1]
    state[1] ^= state[2]
    state[0] ^= state[3]
    state[2] ^= t
    state[3] = rotl(state[3], 45)
    return result
  }

  @inline(__always) private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 {
    (x << k) | (x >> (64 - k))
  }

  /// Uniform in [0, 1) with 24 random bits (every Float32 step of that range is reachable).
  public mutating func nextUnitFloat() -> Float {
    Float(next() >> 40) * (1.0 / 16_777_216.0)
  }

  /// Uniform in [low, high).
  public mutating func nextFloat(in low: Float, _ high: Float) -> Float {
    low + (high - low) * nextUnitFloat()
  }

  /// Standard normal (Box–Muller, one value per call).
  public mutating func nextGaussian() -> Float {
    var u1 = 0.0
    repeat { u1 = Double(next() >> 11) * 0x1.0p-53 } while u1 == 0
    let u2 = Double(next() >> 11) * 0x1.0p-53
    return Float((-2 * _log(u1)).squareRoot() * _cos(2 * Double.pi * u2))
  }
}

@inline(__always) private func _log(_ x: Double) -> Double { Foundation_log(x) }
@inline(__always) private func _cos(_ x: Double) -> Double { Foundation_cos(x) }
