// libjpeg-turbo's TurboJPEG API (Debian libturbojpeg0-dev). Chosen over the classic libjpeg API
// because it reports errors through return codes: libjpeg's error_exit must longjmp, which
// Swift cannot do without a C shim.
#include <turbojpeg.h>
