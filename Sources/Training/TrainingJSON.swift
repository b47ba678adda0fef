import Foundation

/// The JSON form of training records (`training.json`, checkpoint sidecars): sorted keys, pretty
/// printed, and non-finite numbers written as the strings "inf", "-inf" and "nan".
///
/// A diverging run is a result too: its NaN loss or infinite correlation must be recorded and
/// reported, not lost to an encoding error after hours of training.
public enum TrainingJSON {
  public static func encoder() -> JSONEncoder {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    return encoder
  }

  public static func decoder() -> JSONDecoder {
    let decoder = JSONDecoder()
    decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    return decoder
  }
}
