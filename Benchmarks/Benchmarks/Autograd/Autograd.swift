// `swift package benchmark --target Autograd`: the autograd workloads of NablaBenchKit,
// each on the BLAS and the reference backend (see NablaBenchSuites).
import Benchmark
import NablaBenchSuites

let benchmarks: @Sendable () -> Void = {
    registerBenchmarks(.autograd)
}
