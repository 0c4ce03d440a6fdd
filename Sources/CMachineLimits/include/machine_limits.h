// The machine's limits, measured rather than looked up: fp32 FMA throughput
// and streaming-read memory bandwidth. Written in C because a Swift loop
// cannot be compiled for an FMA target without -march flags, which the
// project does not allow.
#ifndef NABLA_BENCH_MACHINE_LIMITS_H
#define NABLA_BENCH_MACHINE_LIMITS_H

#include <stddef.h>

/// Instruction sets the peak loop can use.
typedef enum {
    NablaISA_AVX2_FMA = 0,
    NablaISA_AVX512F = 1,
} NablaISA;

/// 1 when this code was compiled with optimization (a release build); the
/// loops of a debug build run an order of magnitude below the machine's limits.
int nabla_machine_limits_optimized(void);

/// 1 when the running CPU supports `isa` (cpuid, via __builtin_cpu_supports).
int nabla_cpu_supports(NablaISA isa);

/// fp32 GFLOP/s of independent FMA chains run on `threads` threads at once
/// for `seconds` seconds each (an FMA counts as 2 FLOPs). Returns 0 when the
/// CPU lacks `isa` (always, on a CPU that is not x86).
double nabla_fma_peak_gflops(NablaISA isa, int threads, double seconds);

/// GB/s (1e9 bytes) of summing a `bytes`-sized float buffer per thread on
/// `threads` threads at once, best of `repeats` passes; the buffers are
/// advised to use transparent huge pages when `huge_pages` is nonzero.
/// Returns 0 when the buffers cannot be allocated, and on a CPU that is not x86.
double nabla_read_bandwidth_gbs(size_t bytes, int threads, int repeats, int huge_pages);

#endif
