import Foundation

/// Puts a manifest's drawn figures next to its table: `figure@<id>`'s stored `<id>.png` / `.svg`
/// copied to `<directory>/<id>[-<profile>].<ext>` (no suffix at the manifest's default profile,
/// as for tables), atomically and only when finished.
public enum FigureFiles {
  /// Copies every finished figure of `manifest`; returns the files written.
  public static func write(manifest: Manifest, profile: ResolvedProfile, plan: Plan, store: ArtifactStore,
                           to directory: URL) throws -> [URL] {
    var written: [URL] = []
    for figure in manifest.figures {
      guard let record = plan[StepID(.figure, figure.id)]?.record else { continue }
      for output in record.outputs {
        let source = store.layout.outputsDirectory(record.key).appendingPathComponent(output.path)
        let ext = (output.path as NSString).pathExtension
        let target = directory.appendingPathComponent(ResultsStem.of(figure.id, manifest: manifest, profile: profile) + "." + ext)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try StoreFile.write(try Data(contentsOf: source), to: target)
        written.append(target)
      }
    }
    return written
  }
}
