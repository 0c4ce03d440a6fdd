#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Seconds on the monotonic clock.
public func monotonicSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
}

/// The best (smallest) seconds per call of each variant.
///
/// Variants are timed in interleaved rounds (A B C, A B C, …) so that load
/// from other processes hits them alike and their ratio stays meaningful.
/// Each round times a batch of calls lasting about 2 ms: long against the
/// clock's resolution, short enough that on a busy machine many rounds run
/// undisturbed. The best round is kept, as `timeit` advises, because
/// interference only ever adds time.
///
/// - Parameters:
///   - variants: Closures doing one call each; each is called once untimed first.
///   - budget: Roughly the seconds to spend on each variant.
public func bestSecondsPerCall(_ variants: [() -> Void], budget: Double) -> [Double] {
    let firstCall = variants.map { call -> Double in
        let start = monotonicSeconds()
        call()
        return max(monotonicSeconds() - start, 1e-9)
    }
    let batchSizes = firstCall.map { max(1, Int(0.002 / $0)) }
    let slowestBatch = zip(firstCall, batchSizes).map { $0 * Double($1) }.max() ?? 0
    let rounds = max(3, min(300, Int(budget / max(slowestBatch, 1e-9))))
    var best = Array(repeating: Double.infinity, count: variants.count)
    for _ in 0..<rounds {
        for (index, call) in variants.enumerated() {
            let start = monotonicSeconds()
            for _ in 0..<batchSizes[index] { call() }
            best[index] = min(best[index], (monotonicSeconds() - start) / Double(batchSizes[index]))
        }
    }
    return best
}
