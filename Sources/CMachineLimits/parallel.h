// Runs one worker per thread at once, so that limits measured on several
// threads see the same contention a multithreaded kernel sees.
#ifndef NABLA_BENCH_PARALLEL_H
#define NABLA_BENCH_PARALLEL_H

#include <stddef.h>

/// Calls `worker(args + i * arg_size)` on `threads` threads started together
/// and waits for all of them. Returns 0 on success, -1 if a thread could not
/// be started (the workers already started are still joined).
int nabla_run_on_threads(int threads, void *(*worker)(void *), void *args, size_t arg_size);

/// Monotonic clock in seconds.
double nabla_now_seconds(void);

#endif
