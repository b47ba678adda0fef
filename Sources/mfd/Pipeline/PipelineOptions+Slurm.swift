import ArgumentParser
import Foundation
import Pipeline

extension PipelineOptions {
  /// The job records of this sweep: one directory per manifest table and profile, so two sweeps
  /// sharing a store (and some step ids) never adopt each other's jobs.
  func slurmJobStore(_ sweep: Sweep) -> SlurmJobStore {
    SlurmJobStore(layout: storeLayout, sweep: "\(sweep.manifest.table.id)-\(sweep.profile.name)")
  }

  /// The manifest as an absolute path, for job scripts that run in another process (on another node).
  var absoluteManifestPath: String {
    URL(fileURLWithPath: manifestPath, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
      .standardizedFileURL.path
  }
}


extension ExecutorKind: ExpressibleByArgument {}
