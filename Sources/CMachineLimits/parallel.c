#include "parallel.h"

#include <pthread.h>
#include <time.h>

enum { max_threads = 256 };

int nabla_run_on_threads(int threads, void *(*worker)(void *), void *args, size_t arg_size) {
    if (threads < 1) threads = 1;
    if (threads > max_threads) threads = max_threads;
    pthread_t ids[max_threads];
    int started = 0, status = 0;
    for (int i = 0; i < threads; i++) {
        if (pthread_create(&ids[i], NULL, worker, (char *)args + (size_t)i * arg_size) != 0) {
            status = -1;
            break;
        }
        started++;
    }
    for (int i = 0; i < started; i++) pthread_join(ids[i], NULL);
    return status;
}

double nabla_now_seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

int nabla_machine_limits_optimized(void) {
#ifdef __OPTIMIZE__
    return 1;
#else
    return 0;
#endif
}
