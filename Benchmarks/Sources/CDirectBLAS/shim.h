// Why this shim exists: the runner calls cblas_sgemm directly, bypassing Nabla,
// to measure what the same OpenBLAS delivers on the same shape. The main
// package's COpenBLAS target is not a product, so this package has its own.
// The openblas_* calls are declared here because the reference cblas.h that
// Debian's alternatives can select does not declare them.
#ifndef NABLA_BENCH_CDIRECTBLAS_SHIM_H
#define NABLA_BENCH_CDIRECTBLAS_SHIM_H

#include <cblas.h>

void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);
char *openblas_get_config(void);
char *openblas_get_corename(void);

#endif
