// oneDNN's C API (Debian libdnnl-dev 2.6, OpenMP runtime). Debian ships no pkg-config file for
// it, so the module map links `dnnl` by name and the header comes from /usr/include.
#include <oneapi/dnnl/dnnl.h>

