/// What a user must provide for FaceScrub, which cannot be downloaded (only URL lists were ever
/// published, many of them dead) and whose paper subset is not public.
public enum FaceScrubInstructions {
  /// The file in the FaceScrub folder that lists every image's SHA-256 (sha256sum format).
  public static let checksumFileName = "SHA256SUMS"

  public static func text(folder: String) -> String {
    """
    Provide FaceScrub yourself:
      1. Put face crops in \(folder)/<identity>/<image>.jpg — one sub-folder per person, JPEG files
         already cropped to the face box (the bbox column of facescrub_actors.txt /
         facescrub_actresses.txt); they are centre-cropped to a square and resized to 64×64.
      2. List their checksums: (cd \(folder) && find . -type f -iname '*.jp*g' | sort | xargs sha256sum > \(checksumFileName))
      3. Run `mfd data preprocess facescrub` (or pass --source FOLDER).
    The 100 identities with the most images are used (ties by name); each identity's images are
    split train/test by a seeded shuffle with the paper's test fraction (3,896 / 19,792). The split
    is recorded next to the cache. This is NOT the paper's subset, which was never published:
    counts that differ from 100 classes / 15,896 / 3,896 are reported as a deviation.
    """
  }

  static func text(layout: DatasetLayout) -> String {
    text(folder: layout.folder.appendingPathComponent("images").path)
  }
}
