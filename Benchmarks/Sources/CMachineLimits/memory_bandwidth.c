// Streaming-read bandwidth: sum a buffer far larger than the caches with
// several vector accumulators, so the loop waits on memory, not on adds.
#include "machine_limits.h"
#include "parallel.h"

#include <immintrin.h>
#include <stdlib.h>

typedef struct {
    const float *data;
    size_t count;
    int repeats;
    double gbs;   // out: best pass
    float sink;   // out
} ReadJob;

__attribute__((target("avx2")))
static float sum_avx2(const float *data, size_t count) {
    __m256 s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0;
    size_t i = 0;
    for (; i + 64 <= count; i += 64) {
        s0 = _mm256_add_ps(s0, _mm256_loadu_ps(data + i));
        s1 = _mm256_add_ps(s1, _mm256_loadu_ps(data + i + 8));
        s2 = _mm256_add_ps(s2, _mm256_loadu_ps(data + i + 16));
        s3 = _mm256_add_ps(s3, _mm256_loadu_ps(data + i + 24));
        s4 = _mm256_add_ps(s4, _mm256_loadu_ps(data + i + 32));
        s5 = _mm256_add_ps(s5, _mm256_loadu_ps(data + i + 40));
        s6 = _mm256_add_ps(s6, _mm256_loadu_ps(data + i + 48));
        s7 = _mm256_add_ps(s7, _mm256_loadu_ps(data + i + 56));
    }
    __m256 total = _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)),
                                 _mm256_add_ps(_mm256_add_ps(s4, s5), _mm256_add_ps(s6, s7)));
    float lanes[8];
    _mm256_storeu_ps(lanes, total);
    float sum = 0;
    for (int l = 0; l < 8; l++) sum += lanes[l];
    for (; i < count; i++) sum += data[i];
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

double nabla_read_bandwidth_gbs(size_t bytes, int threads, int repeats) {
    if (threads < 1) threads = 1;
    if (repeats < 1) repeats = 1;
    const size_t count = bytes / sizeof(float);
    ReadJob jobs[threads];
    double total = 0;
    int allocated = 0;
    for (; allocated < threads; allocated++) {
        float *data = malloc(count * sizeof(float));
        if (!data) break;
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
