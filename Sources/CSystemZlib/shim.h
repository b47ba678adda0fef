// zlib (Debian zlib1g-dev): inflate with windowBits 15+16 reads gzip streams and checks their
// CRC-32 and length trailer, which is what tells a truncated download from a complete one.
// Not named CZlib: ZIPFoundation ships a module of that name on Linux and the two would clash.
#include <zlib.h>
