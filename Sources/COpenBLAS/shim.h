// Why this shim exists: Swift reaches OpenBLAS's CBLAS interface through it.
// The openblas_* control calls are declared here as well, because not every
// cblas.h that Debian can install through its alternatives declares them
// (the reference CBLAS header does not), while libopenblas always exports them.
#ifndef NABLA_COPENBLAS_SHIM_H
#define NABLA_COPENBLAS_SHIM_H

#include <cblas.h>

void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);
char *openblas_get_config(void);
char *openblas_get_corename(void);

#endif
