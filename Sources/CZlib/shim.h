// Why this shim exists: Swift reaches zlib through it, and zlib's
// inflateInit2 and deflateInit2 are function-like macros (they pass
// ZLIB_VERSION and sizeof(z_stream) to inflateInit2_/deflateInit2_), which
// Swift cannot import; the inline wrappers below expose them as plain functions.
#ifndef NABLA_CZLIB_SHIM_H
#define NABLA_CZLIB_SHIM_H

#include <zlib.h>

static inline int nabla_inflateInit2(z_streamp stream, int windowBits) {
    return inflateInit2(stream, windowBits);
}

/// Raw deflate (negative window bits: no zlib or gzip wrapper), as zip members hold it.
static inline int nabla_deflateInitRaw(z_streamp stream, int level) {
    return deflateInit2(stream, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY);
}

#endif
