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
// OpenBLAS's out-of-place transpose-and-scale (an extension of CBLAS), which conv2d's
// channels-last kernel copies NCHW images to NHWC with.
void cblas_somatcopy(enum CBLAS_ORDER order, enum CBLAS_TRANSPOSE trans, int rows, int cols, float alpha, const float *a, int lda,
                     float *b, int ldb);
void cblas_domatcopy(enum CBLAS_ORDER order, enum CBLAS_TRANSPOSE trans, int rows, int cols, double alpha, const double *a, int lda,
                     double *b, int ldb);

/// The CPU's SIMD features as cpuid reports them, which is what OpenBLAS's own
/// detection reads (so an emulator or hypervisor that hides AVX-512 hides it from
/// both), one bit each in the order of NABLA_CPU_FEATURE_NAMES; 0 on other CPUs.
/// Nabla's slow-core check (OpenBLASCoreCheck.swift) compares it with OpenBLAS's core.
#define NABLA_CPU_FEATURE_NAMES "sse3 ssse3 sse4_1 sse4_2 avx fma avx2 avx512f avx512dq avx512bw avx512vl"
static inline unsigned nabla_cpu_feature_mask(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
    return (unsigned)!!__builtin_cpu_supports("sse3") << 0 | (unsigned)!!__builtin_cpu_supports("ssse3") << 1
        | (unsigned)!!__builtin_cpu_supports("sse4.1") << 2 | (unsigned)!!__builtin_cpu_supports("sse4.2") << 3
        | (unsigned)!!__builtin_cpu_supports("avx") << 4 | (unsigned)!!__builtin_cpu_supports("fma") << 5
        | (unsigned)!!__builtin_cpu_supports("avx2") << 6 | (unsigned)!!__builtin_cpu_supports("avx512f") << 7
        | (unsigned)!!__builtin_cpu_supports("avx512dq") << 8 | (unsigned)!!__builtin_cpu_supports("avx512bw") << 9
        | (unsigned)!!__builtin_cpu_supports("avx512vl") << 10;
#else
    return 0;
#endif
}

#endif
