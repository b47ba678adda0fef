import Foundation

/// The checksummed, content-addressed step store. One runner writes at a time (`StoreLock`);
/// readers (`plan`, `status`, `report`) never need the lock because every file that marks progress
/// is replaced atomically.
public struct ArtifactStore: Sendable {
  public let layout: StoreLayout
  /// fsync records and index entries (the default). Tests of bookkeeping logic may turn it off: on
  /// a disk shared with builds an fsync can take tens of milliseconds, and a power loss cannot be tested.
  public let syncsToDisk: Bool

  public init(layout: StoreLayout, syncsToDisk: Bool = true) {
    self.layout = layout
    self.syncsToDisk = syncsToDisk
  }

  private var files: FileManager { FileManager.default }

  /// `gethostname`, read once: Foundation's `hostName` may resolve names through DNS on every call.
  static let hostName: String = {
    var buffer = [CChar](repeating: 0, count: 256)
    guard gethostname(&buffer, buffer.count) == 0 else { return "unknown" }
    return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }()

  /// The state of `key`, checking outputs to `depth`.
  public func state(of key: StepKey, depth: VerificationDepth = .sizes) -> ArtifactState {
    let recordURL = layout.recordFile(key)
    guard let data = files.contents(atPath: recordURL.path) else {
      let started = files.fileExists(atPath: layout.scratchDirectory(key).path)
        || files.fileExists(atPath: layout.stepDirectory(key).path)
      return started ? .incomplete : .absent
    }
    guard let record = try? JSONDecoder().decode(StepRecord.self, from: data), record.key == key else {
      return .corrupt(problem: "record.json is unreadable or belongs to another key")
    }
    if let problem = verify(record, depth: depth) { return .corrupt(problem: problem) }
    return .done(record)
  }

  /// The first problem with a record's outputs, or nil when they match.
  func verify(_ record: StepRecord, depth: VerificationDepth) -> String? {
    let outputs = layout.outputsDirectory(record.key)
    for output in record.outputs {
      let url = outputs.appendingPathComponent(output.path)
      guard let attributes = try? files.attributesOfItem(atPath: url.path),
            let size = (attributes[.size] as? NSNumber)?.int64Value else {
        return "output \(output.path) is missing"
      }
      guard size == output.size else { return "output \(output.path) has \(size) bytes, the record says \(output.size)" }
      if depth == .full {
        guard let digest = try? SHA256Hex.ofFile(url) else { return "output \(output.path) is unreadable" }
        guard digest == output.sha256 else { return "output \(output.path) has SHA-256 \(digest.prefix(12))…, the record says \(output.sha256.prefix(12))…" }
      }
    }
    return nil
  }

  /// Fresh scratch space for an attempt: `outputs/` emptied, `work/` kept (checkpoints to resume from).
  public func prepareScratch(for key: StepKey) throws -> (outputs: URL, work: URL) {
    let outputs = layout.scratchOutputs(key), work = layout.scratchWork(key)
    if files.fileExists(atPath: outputs.path) { try files.removeItem(at: outputs) }
    try files.createDirectory(at: outputs, withIntermediateDirectories: true)
    try files.createDirectory(at: work, withIntermediateDirectories: true)
    return (outputs, work)
  }

  /// Hashes the attempt's outputs, renames them into place, writes the record last, updates the
  /// index and removes the scratch space. Returns the record.
  public func commit(step: Step, key: StepKey, codeVersion: String, inputs: [StepRecord.Input],
                     seconds: Double) throws -> StepRecord {
    let scratch = layout.scratchOutputs(key)
    let outputs = try hashTree(at: scratch)
    let destination = layout.stepDirectory(key)
    if files.fileExists(atPath: destination.path) { try files.removeItem(at: destination) }
    try files.createDirectory(at: destination, withIntermediateDirectories: true)
    try files.moveItem(at: scratch, to: layout.outputsDirectory(key))
    let record = StepRecord(scheme: HashingScheme.version, key: key, id: step.id, config: step.config,
                            codeVersion: codeVersion, inputs: inputs, outputs: outputs, seconds: seconds,
                            finishedAt: Date().ISO8601Format(), host: Self.hostName, pid: getpid(),
                            machine: MachineDescription.current)
    try StoreFile.writeJSON(record, to: layout.recordFile(key), durable: syncsToDisk)
    try StepIndex(layout: layout).remember(record, durable: syncsToDisk)
    try? files.removeItem(at: layout.scratchDirectory(key))
    return record
  }

  /// Every regular file under `directory`, hashed, sorted by relative path.
  func hashTree(at directory: URL) throws -> [StepRecord.OutputFile] {
    var result: [StepRecord.OutputFile] = []
    let base = directory.standardizedFileURL.path
    guard let enumerator = files.enumerator(atPath: base) else { throw StoreError.cannotRead(base) }
    while let relative = enumerator.nextObject() as? String {
      let path = base + "/" + relative
      let attributes = try files.attributesOfItem(atPath: path)
      let type = attributes[.type] as? FileAttributeType
      if type == .typeDirectory { continue }
      guard type == .typeRegular else { throw StoreError.outputNotRegularFile(path) }
      let size = (attributes[.size] as? NSNumber)?.int64Value ?? 0
      result.append(.init(path: relative, sha256: try SHA256Hex.ofFile(URL(fileURLWithPath: path)), size: size))
    }
    return result.sorted { $0.path < $1.path }
  }

  /// Keys with a `steps/` directory (finished, corrupt or half-committed).
  public func storedKeys() -> [StepKey] {
    ((try? files.contentsOfDirectory(atPath: layout.stepsDirectory.path)) ?? []).filter { !$0.hasPrefix(".") }.sorted().map(StepKey.init(hex:))
  }

  /// Keys with scratch space (attempts that started and have not committed).
  public func scratchKeys() -> [StepKey] {
    ((try? files.contentsOfDirectory(atPath: layout.scratchRoot.path)) ?? []).filter { !$0.hasPrefix(".") }.sorted().map(StepKey.init(hex:))
  }

  /// Removes everything stored under `key` (outputs, record, scratch).
  public func remove(_ key: StepKey) throws {
    for url in [layout.stepDirectory(key), layout.scratchDirectory(key)] where files.fileExists(atPath: url.path) {
      try files.removeItem(at: url)
    }
  }
}
