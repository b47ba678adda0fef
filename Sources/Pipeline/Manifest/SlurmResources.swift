/// What one Slurm job asks for. Every field is optional: what is not given is left to the
/// cluster's defaults (so a site's partition and account policies apply unless a profile says otherwise).
///
/// Resources never enter a step's key: the same step computed with more CPUs or on another
/// partition gives the same bytes, so moving a sweep between clusters keeps every finished result.
public struct SlurmResources: Sendable, Equatable {
  /// `--cpus-per-task`; also the threads the step uses.
  public var cpus: Int?
  /// `--mem`, as Slurm writes it (`4G`, `500M`).
  public var memory: String?
  /// `--time`, as Slurm writes it (`30`, `02:00:00`, `1-12:00:00`).
  public var time: String?
  public var partition: String?
  public var account: String?
  /// Further `#SBATCH` options, written verbatim (`--qos=short`, `--constraint=avx2`).
  public var extra: [String]?
  /// Shell lines the job runs before the step (`module load swift/6.0`).
  public var setup: [String]?

  public init(cpus: Int? = nil, memory: String? = nil, time: String? = nil, partition: String? = nil,
              account: String? = nil, extra: [String]? = nil, setup: [String]? = nil) {
    self.cpus = cpus
    self.memory = memory
    self.time = time
    self.partition = partition
    self.account = account
    self.extra = extra
    self.setup = setup
  }

  static let keys = ["cpus", "memory", "time", "partition", "account", "extra", "setup"]

  /// This set with every field `other` gives written over it.
  public func overridden(by other: SlurmResources) -> SlurmResources {
    SlurmResources(cpus: other.cpus ?? cpus, memory: other.memory ?? memory, time: other.time ?? time,
                   partition: other.partition ?? partition, account: other.account ?? account,
                   extra: other.extra ?? extra, setup: other.setup ?? setup)
  }

  /// The `sbatch` options for these resources (`extra` and `setup` go into the job script).
  public var sbatchOptions: [String] {
    var options: [String] = []
    if let cpus { options.append("--cpus-per-task=\(cpus)") }
    if let memory { options.append("--mem=\(memory)") }
    if let time { options.append("--time=\(time)") }
    if let partition { options.append("--partition=\(partition)") }
    if let account { options.append("--account=\(account)") }
    return options
  }

  /// Reads `{cpus: 2, memory: 4G, time: "02:00:00", partition: …, account: …, extra: […], setup: […]}`.
  init(yaml node: YAMLNode) throws(ManifestError) {
    let mapping = try node.mapping()
    try mapping.rejectUnknownKeys(allowed: Self.keys)
    if let cpusNode = mapping.optional("cpus") {
      let value = try cpusNode.int()
      guard value >= 1 else { throw cpusNode.error("cpus must be at least 1, got \(value)") }
      cpus = value
    }
    if let memoryNode = mapping.optional("memory") {
      let text = try memoryNode.string()
      guard Self.isMemory(text) else { throw memoryNode.error("memory '\(text)' is not a Slurm size: a number with an optional K, M, G or T (4G, 500M)") }
      memory = text
    }
    if let timeNode = mapping.optional("time") {
      let text = try timeNode.string()
      guard Self.isTimeLimit(text) else {
        throw timeNode.error("time '\(text)' is not a Slurm time limit: minutes, MM:SS, HH:MM:SS or D-HH:MM:SS (quote it in YAML)")
      }
      time = text
    }
    for (key, path) in [("partition", \SlurmResources.partition), ("account", \SlurmResources.account)] {
      guard let valueNode = mapping.optional(key) else { continue }
      let text = try valueNode.string()
      guard !text.contains(where: \.isWhitespace) else { throw valueNode.error("\(key) '\(text)' must be one word") }
      self[keyPath: path] = text
    }
    if let extraNode = mapping.optional("extra") {
      var lines: [String] = []
      for element in try extraNode.sequence() {
        let line = try element.string()
        guard line.hasPrefix("-"), !line.contains("\n") else {
          throw element.error("'\(line)' is not an sbatch option: give one option per element, like --qos=short")
        }
        lines.append(line)
      }
      extra = lines
    }
    if let setupNode = mapping.optional("setup") {
      var lines: [String] = []
      for element in try setupNode.sequence() { lines.append(try element.string()) }
      setup = lines
    }
  }

  static func isDigit(_ character: Character) -> Bool { ("0"..."9").contains(character) }

  static func isMemory(_ text: String) -> Bool {
    var digits = Substring(text)
    if let last = digits.last, "KMGTkmgt".contains(last) { digits = digits.dropLast() }
    return !digits.isEmpty && digits.allSatisfy(Self.isDigit)
  }

  /// Slurm's forms: `M`, `M:S`, `H:M:S`, `D-H`, `D-H:M`, `D-H:M:S`, or `UNLIMITED`.
  static func isTimeLimit(_ text: String) -> Bool {
    if text == "UNLIMITED" || text == "INFINITE" { return true }
    let parts = text.split(separator: "-", omittingEmptySubsequences: false)
    guard parts.count <= 2, parts.allSatisfy({ !$0.isEmpty }) else { return false }
    if parts.count == 2, !parts[0].allSatisfy(Self.isDigit) { return false }
    let clock = parts.last!.split(separator: ":", omittingEmptySubsequences: false)
    return (1...3).contains(clock.count) && clock.allSatisfy { !$0.isEmpty && $0.allSatisfy(Self.isDigit) }
  }
}

/// A profile's `slurm:` section: `default` resources, then per step kind what differs.
///
/// ```yaml
/// slurm:
///   default: {partition: cpu, account: lab, time: "01:00:00", cpus: 2}
///   train: {cpus: 8, memory: 16G, time: "12:00:00"}
/// ```
public struct SlurmSettings: Sendable, Equatable {
  public var defaults = SlurmResources()
  public var perKind: [StepKind: SlurmResources] = [:]

  public init(defaults: SlurmResources = SlurmResources(), perKind: [StepKind: SlurmResources] = [:]) {
    self.defaults = defaults
    self.perKind = perKind
  }

  /// The resources of one kind: its own fields over the defaults.
  public func resources(for kind: StepKind) -> SlurmResources {
    defaults.overridden(by: perKind[kind] ?? SlurmResources())
  }

  /// `other`'s fields written over these, kind by kind and field by field (a profile over the one it extends).
  public func overridden(by other: SlurmSettings) -> SlurmSettings {
    var merged = self
    merged.defaults = defaults.overridden(by: other.defaults)
    for (kind, resources) in other.perKind { merged.perKind[kind] = (perKind[kind] ?? SlurmResources()).overridden(by: resources) }
    return merged
  }

  init(yaml node: YAMLNode) throws(ManifestError) {
    let mapping = try node.mapping()
    try mapping.rejectUnknownKeys(allowed: ["default"] + StepKind.allCases.map(\.rawValue))
    for entry in mapping.entries {
      let resources = try SlurmResources(yaml: entry.value)
      if let kind = StepKind(rawValue: entry.key) { perKind[kind] = resources } else { defaults = resources }
    }
  }
}

/// Where the steps of a sweep run: `executor:` in a profile, `--executor` on the command line.
public enum ExecutorKind: String, Sendable, CaseIterable, Codable {
  /// This machine, `--jobs` steps at once.
  case local
  /// One `sbatch` job per step, chained with `afterok` dependencies.
  case slurm
}
