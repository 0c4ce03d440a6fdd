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

/// The best (smallest) seconds per call of each variant; a variant makes the
/// given number of calls, so per-batch setup (such as choosing the backend)
/// stays out of the per-call time.
///
/// Variants are timed in interleaved rounds (A B C, A B C, …) so that load
/// from other processes hits them alike and their ratio stays meaningful.
/// Each round times a batch of calls lasting about 2 ms: long against the
/// clock's resolution, short enough that on a busy machine many rounds run
/// undisturbed. The best round is kept, as `timeit` advises, because
/// interference only ever adds time.
///
/// The budget is kept: a variant whose first call alone takes longer than the
/// budget is not called again (its figure is that one call, an upper bound),
/// and the others get as many rounds as fit in the budget, at least three
/// while a round of them fits in it.
///
/// - Parameters:
///   - variants: Closures making `calls` calls each; each makes one untimed call first.
///   - budget: Roughly the seconds to spend on each variant.
public func bestSecondsPerCall(_ variants: [(_ calls: Int) -> Void], budget: Double) -> [Double] {
    let firstCall = variants.map { run -> Double in
        let start = monotonicSeconds()
        run(1)
        return max(monotonicSeconds() - start, 1e-9)
    }
    let repeated = variants.indices.filter { firstCall[$0] <= budget }
    let batchSizes = firstCall.map { max(1, Int(0.002 / $0)) }
    let slowestBatch = repeated.map { firstCall[$0] * Double(batchSizes[$0]) }.max() ?? 0
    let roundsInBudget = Int(budget / max(slowestBatch, 1e-9))
    let rounds = min(300, roundsInBudget >= 1 ? max(3, roundsInBudget) : 1)
    var best = firstCall
    for _ in 0..<(repeated.isEmpty ? 0 : rounds) {
        for index in repeated {
            let start = monotonicSeconds()
            variants[index](batchSizes[index])
            best[index] = min(best[index], (monotonicSeconds() - start) / Double(batchSizes[index]))
        }
    }
    return best
}
