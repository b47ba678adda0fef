// libpng 1.6 (Debian libpng-dev). Only its "simplified API" (png_image_*) is used: it catches
// libpng's longjmp-based errors inside C and reports them as a return code plus a message, which
// Swift can handle; the classic png_create_write_struct API needs setjmp in the caller.
#include <png.h>
