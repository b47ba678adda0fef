import Foundation

/// Deterministic serialisation, byte-compatible with the reference implementation
/// (`safetensors.torch.save_file` writes the same bytes for the same tensors and at most one
/// metadata key; with more it orders metadata keys by hash, we sort them).
///
/// - Data layout: tensors by descending dtype alignment, then by name (UTF-8 bytes), so that each
///   tensor starts at a multiple of its element size, as memory-mapping readers want.
/// - Header: `__metadata__` first (keys sorted, omitted when empty), then the tensors in layout
///   order, each as `{"dtype":..,"shape":[..],"data_offsets":[b,e]}`; no whitespace; strings
///   escaped as serde_json does; padded with spaces to a multiple of 8 bytes.
extension SafetensorsFile {
  /// The whole file: length prefix, header, data.
  public func serialized() -> Data {
    var result = Data()
    for piece in serializedPieces() { result.append(piece) }
    return result
  }

  /// Writes the file atomically: a temporary file in the same directory is written, fsynced and
  /// renamed over `url`, so a killed process leaves either the old file or the new one.
  /// - Throws: `SafetensorsError.writeFailed` naming `url`.
  public func write(to url: URL) throws(SafetensorsError) {
    try writeAtomically(serializedPieces(), to: url)
  }

  /// Length prefix + header, then each tensor's bytes: written one by one, so a large checkpoint
  /// is never copied into one contiguous buffer.
  private func serializedPieces() -> [Data] {
    let ordered = tensors.sorted { a, b in
      a.value.dtype.referenceRank != b.value.dtype.referenceRank
        ? a.value.dtype.referenceRank > b.value.dtype.referenceRank
        : a.key.utf8.lexicographicallyPrecedes(b.key.utf8)
    }
    var json = "{"
    var separator = ""
    if !metadata.isEmpty {
      let pairs = metadata.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        .map { jsonString($0) + ":" + jsonString(metadata[$0]!) }
      json += #""__metadata__":{"# + pairs.joined(separator: ",") + "}"
      separator = ","
    }
    var offset = 0
    for (name, tensor) in ordered {
      precondition(name != "__metadata__", "a tensor cannot be named __metadata__")
      let end = offset + tensor.bytes.count
      json += separator + jsonString(name)
        + #":{"dtype":"\#(tensor.dtype.rawValue)","shape":[\#(tensor.shape.map(String.init).joined(separator: ","))],"data_offsets":[\#(offset),\#(end)]}"#
      separator = ","
      offset = end
    }
    json += "}"

    var header = Data(json.utf8)
    header.append(contentsOf: repeatElement(UInt8(ascii: " "), count: (8 - header.count % 8) % 8))
    var prefix = Data(count: 8)
    prefix.withUnsafeMutableBytes { $0.storeBytes(of: UInt64(header.count).littleEndian, as: UInt64.self) }
    return [prefix, header] + ordered.map(\.value.bytes)
  }
}

/// A JSON string literal escaped exactly as serde_json escapes it: `"` and `\`, the short forms
/// \b \f \n \r \t, other control characters as lowercase \u00XX, everything else verbatim UTF-8.
func jsonString(_ string: String) -> String {
  var result = "\""
  for scalar in string.unicodeScalars {
    switch scalar {
    case "\"": result += "\\\""
    case "\\": result += "\\\\"
    case "\u{08}": result += "\\b"
    case "\u{0C}": result += "\\f"
    case "\n": result += "\\n"
    case "\r": result += "\\r"
    case "\t": result += "\\t"
    case "\u{00}"..."\u{1F}":
      let hex = String(scalar.value, radix: 16)
      result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
    default: result.unicodeScalars.append(scalar)
    }
  }
  return result + "\""
}
