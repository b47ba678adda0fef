import CSystemZlib
import Foundation
import ZIPFoundation

/// Writes archives in the formats the datasets are published in: ustar tar, gzip and zip.
///
/// The stand-in datasets are built with it, and the archive tests use it to build hostile
/// archives (links, FIFOs, escaping paths), which is why every ustar member type can be written.
public enum ArchiveWriter {
  public enum TarMember: Sendable {
    case file(String, Data)
    case directory(String)
    case symlink(String, target: String)
    case hardLink(String, target: String)
    case fifo(String)
  }

  /// A ustar archive of `members`, ending with the two zero blocks.
  public static func tar(_ members: [TarMember]) -> Data {
    var out = Data()
    for member in members {
      let (name, type, body, link): (String, UInt8, Data, String) = switch member {
      case let .file(name, data): (name, UInt8(ascii: "0"), data, "")
      case let .directory(name): (name, UInt8(ascii: "5"), Data(), "")
      case let .symlink(name, target): (name, UInt8(ascii: "2"), Data(), target)
      case let .hardLink(name, target): (name, UInt8(ascii: "1"), Data(), target)
      case let .fifo(name): (name, UInt8(ascii: "6"), Data(), "")
      }
      out.append(contentsOf: tarHeader(name: name, type: type, size: body.count, link: link))
      out.append(body)
      out.append(Data(count: (512 - body.count % 512) % 512))
    }
    out.append(Data(count: 1024))
    return out
  }

  /// One 512-byte ustar header (mode 644, owner 0, time 0: same members, same bytes).
  private static func tarHeader(name: String, type: UInt8, size: Int, link: String) -> [UInt8] {
    var header = [UInt8](repeating: 0, count: 512)
    func put(_ text: String, at offset: Int) { for (i, b) in text.utf8.enumerated() { header[offset + i] = b } }
    put(name, at: 0)
    put("0000644", at: 100)
    put("0000000", at: 108)
    put("0000000", at: 116)
    put(String(format: "%011o", size), at: 124)
    put("00000000000", at: 136)
    header[156] = type
    put(link, at: 157)
    put("ustar", at: 257)
    put("00", at: 263)
    // The checksum is summed with its own field read as spaces.
    for i in 148..<156 { header[i] = 32 }
    let sum = header.reduce(0) { $0 + Int($1) }
    put(String(format: "%06o", sum), at: 148)
    header[154] = 0
    return header
  }

  /// `data` as a gzip stream (zlib deflate, level 6, with the gzip wrapper; mtime 0).
  public static func gzip(_ data: Data) -> Data {
    var stream = z_stream()
    // Never inside precondition(): release builds are -Ounchecked, which drops the whole call.
    let initialised = deflateInit2_(&stream, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, zlibVersion(),
                                    Int32(MemoryLayout<z_stream>.size))
    guard initialised == Z_OK else { fatalError("zlib could not allocate its state (\(initialised))") }
    defer { deflateEnd(&stream) }
    // deflateBound is an upper bound for a single Z_FINISH call, so one call always completes.
    var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, UInt(data.count))) + 64)
    var input = [UInt8](data)
    let produced = input.withUnsafeMutableBufferPointer { inp in
      output.withUnsafeMutableBufferPointer { out in
        stream.next_in = inp.baseAddress
        stream.avail_in = UInt32(inp.count)
        stream.next_out = out.baseAddress
        stream.avail_out = UInt32(out.count)
        let finished = deflate(&stream, Z_FINISH)
        guard finished == Z_STREAM_END else { fatalError("deflate did not finish within deflateBound (\(finished))") }
        return out.count - Int(stream.avail_out)
      }
    }
    return Data(output.prefix(produced))
  }

  public enum ZipMember: Sendable {
    case file(String, Data)
    case symlink(String, target: String)
  }

  /// A zip of `members`, files deflate-compressed.
  public static func zip(_ members: [ZipMember]) throws -> Data {
    let archive = try Archive(data: Data(), accessMode: .create)
    for member in members {
      let (path, type, body): (String, Entry.EntryType, Data) = switch member {
      case let .file(path, data): (path, .file, data)
      case let .symlink(path, target): (path, .symlink, Data(target.utf8))
      }
      try archive.addEntry(with: path, type: type, uncompressedSize: Int64(body.count),
                           modificationDate: Date(timeIntervalSince1970: 315_532_800),
                           compressionMethod: type == .file ? .deflate : .none) { position, size in
        body.subdata(in: Int(position)..<Int(position) + size)
      }
    }
    return archive.data!
  }
}
