// Peak fp32 throughput: many independent FMA chains, enough to cover the FMA
// latency times the number of FMA pipes (4 cycles x 2 pipes on Zen 4/5 and on
// Intel since Haswell), so the loop is bound by throughput, not latency.
#include "machine_limits.h"

// The loops are x86 intrinsics; elsewhere (arm64) the peak is unknown, as on an x86 CPU
// without the instruction set, so that the main package still builds there.
#if defined(__x86_64__) || defined(__i386__)
#include "parallel.h"

#include <immintrin.h>

typedef struct {
    NablaISA isa;
    double seconds;
    double gflops;  // out: best burst
    float sink;     // out: keeps the chains observable
} PeakJob;

// About 2-4 ms of FMAs at full speed: short enough that some bursts run
// without being preempted on a busy machine, long enough for the clock.
enum { burst_iterations = 1 << 18 };

// Read through volatile so the compiler cannot see that 1 is a fixed point of
// x·scale + shift and fold the chains away.
static volatile float start_value = 1.0f, scale_value = 0.999999f, shift_value = 1e-6f;

// 12 chains of 8 lanes: 192 FLOPs per iteration, 14 of the 16 ymm registers.
__attribute__((target("avx2,fma")))
static double fma_burst_avx2(float *sink) {
    const __m256 scale = _mm256_set1_ps(scale_value), shift = _mm256_set1_ps(shift_value);
    __m256 a0 = _mm256_set1_ps(start_value), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0,
           a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
    const double start = nabla_now_seconds();
    for (int i = 0; i < burst_iterations; i++) {
            a0 = _mm256_fmadd_ps(a0, scale, shift); a1 = _mm256_fmadd_ps(a1, scale, shift);
            a2 = _mm256_fmadd_ps(a2, scale, shift); a3 = _mm256_fmadd_ps(a3, scale, shift);
            a4 = _mm256_fmadd_ps(a4, scale, shift); a5 = _mm256_fmadd_ps(a5, scale, shift);
            a6 = _mm256_fmadd_ps(a6, scale, shift); a7 = _mm256_fmadd_ps(a7, scale, shift);
            a8 = _mm256_fmadd_ps(a8, scale, shift); a9 = _mm256_fmadd_ps(a9, scale, shift);
            a10 = _mm256_fmadd_ps(a10, scale, shift); a11 = _mm256_fmadd_ps(a11, scale, shift);
    }
    const double elapsed = nabla_now_seconds() - start;
    __m256 total = _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)),
                                 _mm256_add_ps(_mm256_add_ps(a4, a5), _mm256_add_ps(a6, a7)));
    total = _mm256_add_ps(total, _mm256_add_ps(_mm256_add_ps(a8, a9), _mm256_add_ps(a10, a11)));
    *sink = _mm256_cvtss_f32(total);
    return (double)burst_iterations * 12 * 8 * 2 / elapsed * 1e-9;
}

// 16 chains of 16 lanes: 512 FLOPs per iteration, half of the 32 zmm registers.
__attribute__((target("avx512f")))
static double fma_burst_avx512(float *sink) {
    const __m512 scale = _mm512_set1_ps(scale_value), shift = _mm512_set1_ps(shift_value);
    __m512 a0 = _mm512_set1_ps(start_value), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0,
           a8 = a0, a9 = a0, a10 = a0, a11 = a0, a12 = a0, a13 = a0, a14 = a0, a15 = a0;
    const double start = nabla_now_seconds();
    for (int i = 0; i < burst_iterations; i++) {
            a0 = _mm512_fmadd_ps(a0, scale, shift); a1 = _mm512_fmadd_ps(a1, scale, shift);
            a2 = _mm512_fmadd_ps(a2, scale, shift); a3 = _mm512_fmadd_ps(a3, scale, shift);
            a4 = _mm512_fmadd_ps(a4, scale, shift); a5 = _mm512_fmadd_ps(a5, scale, shift);
            a6 = _mm512_fmadd_ps(a6, scale, shift); a7 = _mm512_fmadd_ps(a7, scale, shift);
            a8 = _mm512_fmadd_ps(a8, scale, shift); a9 = _mm512_fmadd_ps(a9, scale, shift);
            a10 = _mm512_fmadd_ps(a10, scale, shift); a11 = _mm512_fmadd_ps(a11, scale, shift);
            a12 = _mm512_fmadd_ps(a12, scale, shift); a13 = _mm512_fmadd_ps(a13, scale, shift);
            a14 = _mm512_fmadd_ps(a14, scale, shift); a15 = _mm512_fmadd_ps(a15, scale, shift);
    }
    const double elapsed = nabla_now_seconds() - start;
    __m512 total = _mm512_add_ps(_mm512_add_ps(_mm512_add_ps(a0, a1), _mm512_add_ps(a2, a3)),
                                 _mm512_add_ps(_mm512_add_ps(a4, a5), _mm512_add_ps(a6, a7)));
    total = _mm512_add_ps(total, _mm512_add_ps(_mm512_add_ps(a8, a9), _mm512_add_ps(a10, a11)));
    total = _mm512_add_ps(total, _mm512_add_ps(_mm512_add_ps(a12, a13), _mm512_add_ps(a14, a15)));
    *sink = _mm512_reduce_add_ps(total);
    return (double)burst_iterations * 16 * 16 * 2 / elapsed * 1e-9;
}

int nabla_cpu_supports(NablaISA isa) {
    __builtin_cpu_init();
    switch (isa) {
    case NablaISA_AVX2_FMA: return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case NablaISA_AVX512F: return __builtin_cpu_supports("avx512f");
    }
    return 0;
}

static void *run_peak_job(void *argument) {
    PeakJob *job = argument;
    const double start = nabla_now_seconds();
    job->gflops = 0;
    do {
        const double gflops = job->isa == NablaISA_AVX512F ? fma_burst_avx512(&job->sink) : fma_burst_avx2(&job->sink);
        if (gflops > job->gflops) job->gflops = gflops;
    } while (nabla_now_seconds() - start < job->seconds);
    return NULL;
}

double nabla_fma_peak_gflops(NablaISA isa, int threads, double seconds) {
    if (!nabla_cpu_supports(isa)) return 0;
    if (threads < 1) threads = 1;
    PeakJob jobs[threads];
    for (int i = 0; i < threads; i++) jobs[i] = (PeakJob){.isa = isa, .seconds = seconds};
    if (nabla_run_on_threads(threads, run_peak_job, jobs, sizeof(PeakJob)) != 0) return 0;
    double total = 0;
    for (int i = 0; i < threads; i++) total += jobs[i].gflops;
    return total;
}

#else

int nabla_cpu_supports(NablaISA isa) {
    (void)isa;
    return 0;
}

double nabla_fma_peak_gflops(NablaISA isa, int threads, double seconds) {
    (void)isa, (void)threads, (void)seconds;
    return 0;
}

#endif
