// `swift package benchmark --target LinearAlgebra`: the linalg workloads of NablaBenchKit,
// each on the BLAS and the reference backend (see NablaBenchSuites).
import Benchmark
import NablaBenchSuites

let benchmarks: @Sendable () -> Void = {
    registerBenchmarks(.linalg)
}
