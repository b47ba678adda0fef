#if canImport(Glibc)
import Glibc
#endif

/// The C function `name` from any library loaded in this process, typed as `type`, or nil.
///
/// For entry points the link step cannot name: OpenBLAS's pthreads-only thread-pool controls
/// (`OpenBLASIdleSpin`) and libgomp's API (`OpenMPTeam`), whose link-time `libgomp.so` Debian keeps
/// in GCC's private directory.
func loadedSymbol<F>(_ name: String, as type: F.Type) -> F? {
  // A nil handle is RTLD_DEFAULT: search every loaded library.
  guard let address = dlsym(nil, name) else { return nil }
  return unsafeBitCast(address, to: type)
}
