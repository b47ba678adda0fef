import ArgumentParser
import Benchmarks
import Datasets
import Foundation
import Kernels
import Models

/// `mfd data list | fetch | verify | preprocess | bench`.
struct DataCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "data",
    abstract: "Fetch, verify and preprocess the paper's datasets.",
    discussion: """
      Files live under <root>/<name>/: downloads/ (verified archives), extracted/, cache/ (uint8 \
      split caches read by training). A mirror (--mirror or \(Mirror.environmentVariable)) replaces \
      every canonical source: a URL prefix or a local folder holding the files under their \
      published names.
      """,
    subcommands: [DataList.self, DataFetch.self, DataVerify.self, DataPreprocess.self, DataBench.self])
}

/// Options every data subcommand shares.
struct DataLocation: ParsableArguments {
  @Option(help: "Data root folder.")
  var root: String = "data"

  @Option(help: "Mirror replacing the canonical sources: URL prefix (http, https, file) or local folder. Default: $\(Mirror.environmentVariable).")
  var mirror: String?

  @Flag(help: "No progress bars.")
  var quiet = false

  var rootURL: URL { URL(fileURLWithPath: root, isDirectory: true) }
  var fetcher: Fetcher { Fetcher(mirror: Mirror.resolve(explicit: mirror), verbose: !quiet) }
}

struct DataList: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "list", abstract: "Show the catalogue and what is present locally.")

  @OptionGroup var location: DataLocation

  func run() throws {
    print("| name | images (train/test) | shape | classes | download | local |")
    print("|---|---|---|---|---|---|")
    for d in Catalogue.all {
      let layout = DatasetLayout(root: location.rootURL, name: d.name)
      let size = d.downloadSize.map { String(format: "%.1f MB", Double($0) / 1e6) } ?? "provide locally"
      let cached = DatasetPreparer.splits.allSatisfy { (try? SplitCache.header(at: layout.cacheFile(split: $0))) != nil }
      let downloaded = !d.files.isEmpty && d.files.allSatisfy { FileManager.default.fileExists(atPath: layout.download($0).path) }
      let state = cached ? "preprocessed" : downloaded ? "downloaded" : "–"
      print("| \(d.name) | \(d.splitCounts["train"]!)/\(d.splitCounts["test"]!) | \(d.channels)×\(d.height)×\(d.width) "
        + "| \(d.classCount) | \(size) | \(state) |")
    }
  }
}

struct DataFetch: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "fetch", abstract: "Download and verify a dataset's files.")

  @Argument(help: "Dataset name (see 'mfd data list').")
  var name: String

  @OptionGroup var location: DataLocation

  func run() throws {
    let descriptor = try Catalogue.descriptor(named: name)
    let files = try location.fetcher.fetch(descriptor, layout: DatasetLayout(root: location.rootURL, name: name))
    for file in files { print("verified \(file.path)") }
  }
}

struct DataVerify: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "verify", abstract: "Re-hash a dataset's downloads and split caches against the catalogue and cache headers.")

  @Argument(help: "Dataset name.")
  var name: String

  @OptionGroup var location: DataLocation

  func run() throws {
    let descriptor = try Catalogue.descriptor(named: name)
    let layout = DatasetLayout(root: location.rootURL, name: name)
    var failures = 0
    for file in descriptor.files {
      let url = layout.download(file)
      do {
        let digest = try Fetcher.verify(file, at: url)
        print("ok       \(url.path) (SHA-256 \(digest.sha256))")
      } catch {
        failures += 1
        print("FAILED   \(error)")
      }
    }
    for split in DatasetPreparer.splits {
      let url = layout.cacheFile(split: split)
      guard FileManager.default.fileExists(atPath: url.path) else {
        print("missing  \(url.path) (run 'mfd data preprocess \(name)')")
        continue
      }
      do {
        let (header, _) = try SplitCache.load(url)
        print("ok       \(url.path) (\(header.count) images, payload SHA-256 \(header.payloadSHA256))")
      } catch {
        failures += 1
        print("FAILED   \(error)")
      }
    }
    if failures > 0 { throw ExitCode(1) }
  }
}

struct DataPreprocess: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "preprocess", abstract: "Fetch if needed, extract, decode and write the uint8 split caches.")

  @Argument(help: "Dataset name.")
  var name: String

  @OptionGroup var location: DataLocation

  @Option(help: "FaceScrub only: folder of <identity>/<image>.jpg with SHA256SUMS (default <root>/facescrub/images).")
  var source: String?

  @Option(help: "FaceScrub only: seed of the train/test split (recorded in the cache).")
  var seed: UInt64 = 0

  @Option(help: "Worker threads for JPEG decoding.")
  var threads: Int = 2

  @Flag(help: "Rebuild the caches even when they verify and match the downloads.")
  var force = false

  func validate() throws {
    guard threads >= 1 else { throw ValidationError("--threads must be at least 1, got \(threads)") }
  }

  func run() throws {
    Threading.setThreadCount(threads)
    var preparer = DatasetPreparer(descriptor: try Catalogue.descriptor(named: name), root: location.rootURL,
                                   fetcher: location.fetcher)
    preparer.faceScrubFolder = source.map { URL(fileURLWithPath: $0, isDirectory: true) }
    preparer.splitSeed = seed
    for header in try preparer.preprocess(force: force) {
      let mean = header.channelMean.map { String(format: "%.4f", $0) }.joined(separator: ", ")
      let std = header.channelStd.map { String(format: "%.4f", $0) }.joined(separator: ", ")
      print("\(name)/\(header.split): \(header.count) images \(header.channels)×\(header.height)×\(header.width), "
        + "\(header.classNames.count) classes, mean (\(mean)), std (\(std))")
    }
  }
}

struct DataBench: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "bench", abstract: "Time augmented CIFAR-shaped batches, directly and prefetched behind a real training step.")

  @Option(help: "Network whose training step consumes the batches.")
  var model: Architecture = .mobilenet_v2

  @Option var batch: Int = 128
  @Option var steps: Int = 4
  @Option var threads: Int = 2

  func validate() throws {
    guard batch >= 2, steps >= 1, threads >= 1 else { throw ValidationError("--batch ≥ 2, --steps ≥ 1, --threads ≥ 1") }
  }

  func run() throws {
    print(try measureLoader(architecture: model, batch: batch, steps: steps, threads: threads).markdown)
  }
}
