import Synchronization

/// Bytes currently held by the engine's long-lived buffers, per kind, for memory reports
/// (`mfd bench` prints them next to the process's peak resident size).
///
/// Buffers are allocated once and reused across steps, so the ledger is touched a few hundred
/// times per training run, never per element: a lock is cheap enough.
public enum MemoryLedger {
  /// What a buffer holds.
  public enum Kind: String, CaseIterable, Sendable {
    /// Tensors: parameters, gradients, activations, layer outputs.
    case tensors
    /// Convolution scratch (im2col columns, packed planes).
    case convolutionScratch
    /// MFD loss workspaces.
    case mfdScratch
  }

  private static let held = Mutex<[Kind: Int]>([:])

  /// Records `bytes` more (or fewer, when negative) held for `kind`.
  public static func record(_ bytes: Int, _ kind: Kind) {
    held.withLock { $0[kind, default: 0] += bytes }
  }

  /// Bytes currently held for `kind`.
  public static func bytes(_ kind: Kind) -> Int {
    held.withLock { $0[kind, default: 0] }
  }
}
