/// The one byte-exact text form of a `ConfigValue` that step keys are hashed over.
///
/// Rules (part of `HashingScheme.version`): no whitespace; object keys sorted by their UTF-8 bytes;
/// integers in decimal; doubles in Swift's shortest round-trip form (`0.1`, `0.0005`, `1e-05`,
/// `1.0`), never exponent-normalised by an encoder; strings with JSON escapes for `"`, `\` and
/// control characters only. Re-emitted YAML is never hashed (`YAMLEncoder` writes 0.5 as `5e-1`).
extension ConfigValue {
  public var canonicalJSON: String {
    var output = ""
    appendCanonical(to: &output)
    return output
  }

  private func appendCanonical(to output: inout String) {
    switch self {
    case .null: output += "null"
    case .bool(let value): output += value ? "true" : "false"
    case .int(let value): output += String(value)
    case .double(let value):
      precondition(value.isFinite, "non-finite numbers have no JSON form; the schema rejects them")
      output += "\(value)"
    case .string(let value): Self.appendEscaped(value, to: &output)
    case .array(let values):
      output += "["
      for (index, value) in values.enumerated() {
        if index > 0 { output += "," }
        value.appendCanonical(to: &output)
      }
      output += "]"
    case .object(let object):
      output += "{"
      let keys = object.keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
      for (index, key) in keys.enumerated() {
        if index > 0 { output += "," }
        Self.appendEscaped(key, to: &output)
        output += ":"
        object[key]!.appendCanonical(to: &output)
      }
      output += "}"
    }
  }

  private static func appendEscaped(_ string: String, to output: inout String) {
    output += "\""
    for scalar in string.unicodeScalars {
      switch scalar {
      case "\"": output += "\\\""
      case "\\": output += "\\\\"
      case "\n": output += "\\n"
      case "\t": output += "\\t"
      case "\r": output += "\\r"
      case _ where scalar.value < 0x20:
        let hex = String(scalar.value, radix: 16)
        output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
      default: output.unicodeScalars.append(scalar)
      }
    }
    output += "\""
  }
}
