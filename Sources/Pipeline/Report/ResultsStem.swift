/// File names under `results/`: `table5`, `table5-smoke`, `fig6-quick`. The manifest's default
/// profile (the paper's for the paper's tables, `demo` for the demo) gets no suffix.
public enum ResultsStem {
  public static func of(_ id: String, manifest: Manifest, profile: ResolvedProfile) -> String {
    id + (profile.name == manifest.defaultProfile ? "" : "-\(profile.name)")
  }
}
