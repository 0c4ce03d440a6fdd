// Why this shim exists: Swift reaches zlib through it, and zlib's
// inflateInit2 is a function-like macro (it passes ZLIB_VERSION and
// sizeof(z_stream) to inflateInit2_), which Swift cannot import; the inline
// wrapper below exposes it as a plain function.
#ifndef NABLA_CZLIB_SHIM_H
#define NABLA_CZLIB_SHIM_H

#include <zlib.h>

static inline int nabla_inflateInit2(z_streamp stream, int windowBits) {
    return inflateInit2(stream, windowBits);
}

#endif
