import Benchmark
import Foundation
import Nabla
import NablaBenchKit

/// Registers with package-benchmark every workload of `kind`: one benchmark per
/// backend, at one thread and (for products and training) at OpenBLAS's
/// default thread count, plus the direct CBLAS call for products.
///
/// Besides time and throughput, each reports malloc counts (stable where
/// times are not) and, for products, reductions and elementwise ops, its
/// speed in MFLOP/s or MB/s as a custom metric. `NABLA_BENCH_QUICK=1` selects
/// the runner's quick workload set.
///
/// Each suite also runs an empty call under `withBackend`, "harness baseline":
/// the mallocs and time that package-benchmark and the backend scope add to
/// every iteration, to subtract from the others.
public func registerBenchmarks(_ kind: WorkloadKind) {
    let quick = ProcessInfo.processInfo.environment["NABLA_BENCH_QUICK"] == "1"
    let baseline = Workload(kind: kind, op: "harness baseline", shape: "empty call", unit: .microseconds, limit: nil) {
        PreparedWorkload(call: {})
    }
    register(baseline, variant: "no work", threads: 1) { prepared in withBackend(.blas, prepared.call) }
    let defaultThreads = Nabla.threadCount
    let threadCounts = [.product, .training].contains(kind) && defaultThreads > 1 ? [1, defaultThreads] : [1]
    for workload in Workload.catalog(kind, quick: quick) {
        for threads in threadCounts {
            for backend in [BackendKind.blas, .reference] where backend == .blas || threads == 1 {
                register(workload, variant: "\(backend.rawValue), \(threads) thread\(threads == 1 ? "" : "s")", threads: threads) { prepared in
                    withBackend(backend, prepared.call)
                }
            }
            if kind == .product {
                register(workload, variant: "direct CBLAS, \(threads) thread\(threads == 1 ? "" : "s")", threads: threads) { prepared in
                    prepared.direct?.run()
                }
            }
        }
    }
}

private func register(_ workload: Workload, variant: String, threads: Int,
                      _ call: @escaping (PreparedWorkload) -> Void) {
    let speed: BenchmarkMetric? = switch workload.unit {
    case .gflops: .custom("MFLOP/s", polarity: .prefersLarger, useScalingFactor: false)
    case .gbs: .custom("MB/s", polarity: .prefersLarger, useScalingFactor: false)
    case .milliseconds, .microseconds: nil
    }
    let metrics: [BenchmarkMetric] = [.wallClock, .throughput, .mallocCountTotal, .peakMemoryResident]
        + (speed.map { [$0] } ?? [])
    Benchmark(
        "\(workload.name) [\(variant)]",
        configuration: .init(metrics: metrics, warmupIterations: 1, maxDuration: .seconds(1), maxIterations: 10_000),
        closure: { benchmark, prepared in
            let start = monotonicSeconds()
            for _ in benchmark.scaledIterations { call(prepared) }
            let seconds = (monotonicSeconds() - start) / Double(benchmark.scaledIterations.count)
            if let speed { benchmark.measurement(speed, Int(workload.figure(seconds: seconds) * 1000)) }
        },
        setup: {
            Nabla.setThreadCount(threads)
            return workload.prepare()
        })
}
