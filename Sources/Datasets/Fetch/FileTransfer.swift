import Foundation

/// Copies the local file `source` onto the end of `partial`, which already holds `offset` bytes of
/// it (starting over if the source is shorter than that), in 4 MiB pieces.
/// - Returns: the size of `partial` afterwards.
func fileTransfer(from source: URL, appendingTo partial: URL, offset: Int64,
                  progress: TransferProgress) throws(DatasetError) -> Int64 {
  guard let sourceSize = fileSize(source), let input = try? FileHandle(forReadingFrom: source) else {
    throw .transfer(source: source.path, reason: "no such readable file")
  }
  defer { try? input.close() }
  guard let output = try? FileHandle(forWritingTo: partial) else {
    throw .io(path: partial.path, reason: "cannot open for appending")
  }
  defer { try? output.close() }
  progress.total = sourceSize
  var present = offset <= sourceSize ? offset : 0
  do {
    try output.truncate(atOffset: UInt64(present))
    try input.seek(toOffset: UInt64(present))
    while let chunk = try input.read(upToCount: 4 << 20), !chunk.isEmpty {
      try output.write(contentsOf: chunk)
      present += Int64(chunk.count)
      progress.update(present)
    }
  } catch {
    throw .transfer(source: source.path, reason: "copy failed after \(present) bytes: \(error)")
  }
  progress.update(present, final: true)
  return present
}
