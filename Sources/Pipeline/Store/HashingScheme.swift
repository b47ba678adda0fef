/// The version of the step-key hashing scheme. Bump it whenever the bytes fed to the key change
/// (canonical JSON rules, field order, what counts as an input), so old and new keys never collide.
public enum HashingScheme {
  public static let version = 1
}
