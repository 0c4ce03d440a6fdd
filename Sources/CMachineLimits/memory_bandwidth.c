// Streaming-read bandwidth: sum a buffer far larger than the caches, as four
// interleaved streams with vector accumulators, so the loop waits on memory,
// not on adds. With transparent huge pages the TLB stops being the limit
// (on the development machine: ~33 GB/s against ~19 GB/s with 4 KiB pages).
#define _DEFAULT_SOURCE
#include "machine_limits.h"

// The summing loop is x86 intrinsics; elsewhere (arm64) the bandwidth is unknown (0),
// so that the main package still builds there.
#if defined(__x86_64__) || defined(__i386__)
#include "parallel.h"

#include <immintrin.h>
#include <stdlib.h>
#include <sys/mman.h>

typedef struct {
    const float *data;
    size_t count;
    int repeats;
    double gbs;   // out: best pass
    float sink;   // out
} ReadJob;

enum { huge_page_bytes = 2 << 20 };

/// The sum of `count` floats (a multiple of 32), read as four streams.
__attribute__((target("avx2")))
static float sum_avx2(const float *data, size_t count) {
    const size_t quarter = count / 4;
    const float *p0 = data, *p1 = data + quarter, *p2 = data + 2 * quarter, *p3 = data + 3 * quarter;
    __m256 s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0;
    for (size_t i = 0; i < quarter; i += 16) {
        s0 = _mm256_add_ps(s0, _mm256_loadu_ps(p0 + i));
        s1 = _mm256_add_ps(s1, _mm256_loadu_ps(p1 + i));
        s2 = _mm256_add_ps(s2, _mm256_loadu_ps(p2 + i));
        s3 = _mm256_add_ps(s3, _mm256_loadu_ps(p3 + i));
        s4 = _mm256_add_ps(s4, _mm256_loadu_ps(p0 + i + 8));
        s5 = _mm256_add_ps(s5, _mm256_loadu_ps(p1 + i + 8));
        s6 = _mm256_add_ps(s6, _mm256_loadu_ps(p2 + i + 8));
        s7 = _mm256_add_ps(s7, _mm256_loadu_ps(p3 + i + 8));
    }
    __m256 total = _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)),
                                 _mm256_add_ps(_mm256_add_ps(s4, s5), _mm256_add_ps(s6, s7)));
    float lanes[8];
    _mm256_storeu_ps(lanes, total);
    float sum = 0;
    for (int l = 0; l < 8; l++) sum += lanes[l];
    return sum;
}

static void *run_read_job(void *argument) {
    ReadJob *job = argument;
    job->gbs = 0;
    for (int r = 0; r < job->repeats; r++) {
        const double start = nabla_now_seconds();
        job->sink += sum_avx2(job->data, job->count);
        const double gbs = (double)job->count * sizeof(float) / (nabla_now_seconds() - start) * 1e-9;
        if (gbs > job->gbs) job->gbs = gbs;
    }
    return NULL;
}

double nabla_read_bandwidth_gbs(size_t bytes, int threads, int repeats, int huge_pages) {
    if (threads < 1) threads = 1;
    if (repeats < 1) repeats = 1;
    bytes = (bytes + huge_page_bytes - 1) / huge_page_bytes * huge_page_bytes;
    const size_t count = bytes / sizeof(float);
    ReadJob jobs[threads];
    double total = 0;
    int allocated = 0;
    for (; allocated < threads; allocated++) {
        float *data = aligned_alloc(huge_page_bytes, bytes);
        if (!data) break;
        if (huge_pages) madvise(data, bytes, MADV_HUGEPAGE);
        // Touch every page (and give the adds finite inputs) before timing.
        for (size_t i = 0; i < count; i++) data[i] = 1.0f;
        jobs[allocated] = (ReadJob){.data = data, .count = count, .repeats = repeats};
    }
    if (allocated == threads && nabla_run_on_threads(threads, run_read_job, jobs, sizeof(ReadJob)) == 0) {
        for (int i = 0; i < threads; i++) total += jobs[i].gbs;
    }
    for (int i = 0; i < allocated; i++) free((void *)jobs[i].data);
    return total;
}

#else

double nabla_read_bandwidth_gbs(size_t bytes, int threads, int repeats, int huge_pages) {
    (void)bytes, (void)threads, (void)repeats, (void)huge_pages;
    return 0;
}

#endif
