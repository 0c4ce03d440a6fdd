// Why this shim exists: Debian's OpenBLAS does not carry LAPACKE, so Nabla
// links liblapacke beside it. lapack.h spells complex numbers as C99
// `float _Complex`, which Swift cannot import, and every routine that mentions
// one would silently vanish from the module. Declaring the complex types as
// plain structs first (LAPACK_COMPLEX_CUSTOM) keeps every routine visible.
#ifndef NABLA_CLAPACKE_SHIM_H
#define NABLA_CLAPACKE_SHIM_H

typedef struct { float real, imag; } nabla_lapack_complex_float;
typedef struct { double real, imag; } nabla_lapack_complex_double;

#define LAPACK_COMPLEX_CUSTOM
#define lapack_complex_float nabla_lapack_complex_float
#define lapack_complex_double nabla_lapack_complex_double
#define lapack_complex_float_real(z) ((z).real)
#define lapack_complex_float_imag(z) ((z).imag)
#define lapack_complex_double_real(z) ((z).real)
#define lapack_complex_double_imag(z) ((z).imag)

#include <lapacke.h>

#endif
