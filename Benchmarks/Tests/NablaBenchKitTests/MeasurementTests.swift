import NablaBenchKit
import XCTest

final class MeasurementTests: XCTestCase {
    func testBestTimesRankASlowerCallSlower() {
        var calls = [0, 0]
        let times = bestSecondsPerCall([{ n in calls[0] += n; for _ in 0..<n { usleep(2000) } },
                                        { n in calls[1] += n; for _ in 0..<n { keep(n) } }], budget: 0.05)
        XCTAssertEqual(times.count, 2)
        XCTAssertGreaterThanOrEqual(times[0], 0.002)
        XCTAssertLessThan(times[1], times[0] / 10)
        // The fast call runs in batches of many calls, the slow one in small batches.
        XCTAssertGreaterThan(calls[1], 10 * calls[0])
    }

    func testAVariantSlowerThanTheBudgetRunsOnceAndTheRowKeepsItsBudget() {
        var calls = [0, 0]
        let start = monotonicSeconds()
        let times = bestSecondsPerCall([{ n in calls[0] += n; for _ in 0..<n { usleep(60_000) } },
                                        { n in calls[1] += n; for _ in 0..<n { usleep(1000) } }], budget: 0.05)
        let elapsed = monotonicSeconds() - start
        XCTAssertEqual(calls[0], 1, "the 60 ms call exceeds the 50 ms budget: one call is its figure")
        XCTAssertGreaterThanOrEqual(times[0], 0.06)
        XCTAssertGreaterThan(calls[1], 3, "the fast variant still gets its rounds")
        XCTAssertLessThan(times[1], 0.01)
        // One slow call, the fast variant's budget, and scheduling slack on a busy machine.
        XCTAssertLessThan(elapsed, 0.06 + 0.05 + 0.5)
    }

    func testMachineLimitsArePlausible() {
        let limits = MachineLimits.measure(threads: 1, quick: true)
        // Any x86-64 CPU with AVX2 and FMA does more than 10 GFLOP/s and reads faster than 1 GB/s
        // (a tenth of that when the probes are built without optimization, as in debug);
        // none yet reaches 1 TFLOP/s on one core.
        let floor = MachineLimits.probesAreOptimized ? 1.0 : 0.1
        XCTAssertGreaterThan(limits.avx2PeakGFLOPS, 10 * floor)
        XCTAssertLessThan(limits.avx2PeakGFLOPS, 1000)
        XCTAssertGreaterThan(limits.readBandwidthGBs, floor)
        XCTAssertGreaterThan(limits.readBandwidthSmallPagesGBs, floor)
    }

    func testChildProcessReportsStatusOutputAndMemory() throws {
        let result = try runChildProcess(["/bin/sh", "-c", "echo out; echo err >&2; exit 3"])
        XCTAssertEqual(result.status, 3)
        XCTAssertEqual(result.standardOutput, "out\n")
        XCTAssertEqual(result.standardError, "err\n")
        XCTAssertGreaterThan(result.wallSeconds, 0)

        XCTAssertThrowsError(try runChildProcess(["/nonexistent/program"])) { error in
            XCTAssertTrue("\(error)".contains("/nonexistent/program"), "\(error)")
        }
    }
}
