// Why this shim exists: Swift reaches libpng (1.6) through it. NablaData uses
// only libpng's simplified API (png_image_begin_read_from_memory,
// png_image_finish_read, png_image_write_to_memory), which catches libpng's
// internal longjmp itself and reports failures through the png_image struct.
// The classic png_read_png API needs the caller to setjmp, which Swift cannot
// do, so it must not be called from Swift.
#ifndef NABLA_CPNG_SHIM_H
#define NABLA_CPNG_SHIM_H

#include <png.h>

#endif
