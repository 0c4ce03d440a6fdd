import Nabla
@testable import NablaBenchKit
import XCTest

final class ReportTests: XCTestCase {
    private let limits = MachineLimits(threads: 1, avx2PeakGFLOPS: 100, avx512PeakGFLOPS: nil,
                                       readBandwidthGBs: 40, readBandwidthSmallPagesGBs: 30)

    func testFiguresAndPercentagesFollowTheWorkloadsUnitAndLimit() {
        let gemm = Workload(kind: .product, op: "gemm", shape: "256×256·256×256", unit: .gflops,
                            flops: 2e9, bytes: 0, limit: .fmaPeak) { PreparedWorkload(call: {}) }
        let row = ResultRow(threads: 1, workload: gemm, blasSeconds: 0.04, referenceSeconds: 0.1,
                            directSeconds: 0.038, directRoutine: "cblas_sgemm", limits: limits)
        XCTAssertEqual(row.blas, 50, accuracy: 1e-9)          // 2 GFLOP in 40 ms
        XCTAssertEqual(row.reference, 20, accuracy: 1e-9)
        XCTAssertEqual(row.speedup, 2.5, accuracy: 1e-9)
        XCTAssertEqual(row.percentOfDirect!, 95, accuracy: 1e-9)
        XCTAssertEqual(row.percentOfLimit!, 50, accuracy: 1e-9) // 50 of 100 GFLOP/s

        let sum = Workload(kind: .reduction, op: "sum", shape: "60000×28×28", unit: .gbs,
                           flops: 0, bytes: 4e9, limit: .readBandwidth) { PreparedWorkload(call: {}) }
        let reduction = ResultRow(threads: 1, workload: sum, blasSeconds: 0.2, referenceSeconds: 0.1,
                                  directSeconds: nil, directRoutine: nil, limits: limits)
        XCTAssertEqual(reduction.blas, 20, accuracy: 1e-9)
        XCTAssertEqual(reduction.percentOfLimit!, 50, accuracy: 1e-9) // 20 of 40 GB/s
        XCTAssertNil(reduction.percentOfDirect)
    }

    func testTargetsAreMetOrMissedByTheIssuesThresholds() {
        func gemmRow(_ n: Int, percentOfDirect: Double) -> ResultRow {
            let workload = Workload(kind: .product, op: "gemm", shape: "\(n)×\(n)·\(n)×\(n)", unit: .gflops,
                                    flops: 1e9, limit: .fmaPeak) { PreparedWorkload(call: {}) }
            return ResultRow(threads: 1, workload: workload, blasSeconds: 0.01, referenceSeconds: 0.05,
                             directSeconds: 0.01 * percentOfDirect / 100, directRoutine: "cblas_sgemm", limits: limits)
        }
        // n = 64 is below the n ≥ 256 target and must not count.
        let met = checkTargets(rows: [gemmRow(64, percentOfDirect: 50), gemmRow(256, percentOfDirect: 96)], limits: [limits], lesson: nil)
        XCTAssertEqual(met.count, 1)
        XCTAssertTrue(met[0].met, met[0].measured)
        let missed = checkTargets(rows: [gemmRow(256, percentOfDirect: 94), gemmRow(1024, percentOfDirect: 99)], limits: [limits], lesson: nil)
        XCTAssertFalse(missed[0].met)
        XCTAssertTrue(missed[0].measured.hasPrefix("lowest 94%"), missed[0].measured)
    }

    func testEachModelsEpochIsHeldToItsBLASFloorByBothIssuesBounds() {
        let run = LessonRun(engine: "nabla", threads: 1, processSeconds: 5, peakResidentMiB: 50, linearSeconds: 0.5, netSeconds: 2.4,
                            firstLinearSeconds: 0.5, firstNetSeconds: 2.4, linearAccuracy: 0.97, netAccuracy: 0.98)
        let floors = LessonFloors(netEpochSeconds: 0.05, linearEpochSeconds: 0.01, trainItems: 12396, validItems: 2038, batchSize: 256)
        // The net's epoch, 2.4 s / 40, is 1.2× its floor; the linear model's, 0.5 s / 20, 2.5×.
        let checks = checkTargets(rows: [], limits: [limits], lesson: LessonComparison(nabla: run, pytorch: nil, notes: []), floors: floors)
            .filter { $0.target.contains("BLAS floor") }
        XCTAssertEqual(checks.map(\.target), ["The net's epoch ≤ 1.15× its BLAS floor (1 thread)",
                                              "The linear model's epoch ≤ 3.00× its BLAS floor (1 thread)",
                                              "Issue 23: the net's epoch ≤ 1.10× its BLAS floor (1 thread)",
                                              "Issue 23: the linear model's epoch ≤ 2.00× its BLAS floor (1 thread)"])
        XCTAssertEqual(checks.map(\.met), [false, true, false, false])
        XCTAssertEqual(checks.map(\.measured), ["60.00 ms against 50.00 ms: 1.20×", "25.00 ms against 10.00 ms: 2.50×",
                                                "60.00 ms against 50.00 ms: 1.20×", "25.00 ms against 10.00 ms: 2.50×"])
    }

    func testAReferenceStandInGivesTheReferenceFigureOfTheSmallerShapeAndARateSpeedup() {
        func eigh(_ n: Double) -> Workload {
            Workload(kind: .linalg, op: "eigh", shape: "\(Int(n))×\(Int(n))", unit: .gflops, flops: 9 * n * n * n,
                     limit: .fmaPeak) { PreparedWorkload(call: {}) }
        }
        let row = ResultRow(threads: 1, workload: eigh(1024).withReferenceStandIn(eigh(256)), blasSeconds: 0.5,
                            referenceSeconds: 0.2, directSeconds: nil, directRoutine: nil, limits: limits)
        XCTAssertEqual(row.referenceShape, "256×256")
        XCTAssertEqual(row.blas, 9 * 1024 * 1024 * 1024 / 0.5 * 1e-9, accuracy: 1e-9)
        XCTAssertEqual(row.reference, 9 * 256 * 256 * 256 / 0.2 * 1e-9, accuracy: 1e-9)
        XCTAssertEqual(row.speedup, row.blas / row.reference, accuracy: 1e-9)
        XCTAssertTrue(Workload.linalg(quick: false).contains { $0.referenceStandIn?.workload.shape == "256×256" })
        XCTAssertFalse(Workload.linalg(quick: true).contains { $0.referenceStandIn != nil })
    }

    func testTwoThreadScalingTargetsSplitAtOneMillionElements() {
        func row(_ shape: String, threads: Int, seconds: Double) -> ResultRow {
            let workload = Workload(kind: .elementwise, op: "broadcast add", shape: shape, unit: .gbs, bytes: 1e6,
                                    limit: nil) { PreparedWorkload(call: {}) }
            return ResultRow(threads: threads, workload: workload, blasSeconds: seconds, referenceSeconds: seconds,
                             directSeconds: nil, directRoutine: nil, limits: limits)
        }
        XCTAssertEqual(leadingElementCount("10000×28×28 + 28×28"), 7_840_000)
        let checks = checkTargets(rows: [row("10000×28×28 + 28×28", threads: 1, seconds: 1), row("10000×28×28 + 28×28", threads: 2, seconds: 0.5),
                                         row("256×784 + 784", threads: 1, seconds: 1), row("256×784 + 784", threads: 2, seconds: 1.2)],
                                  limits: [limits], lesson: nil)
        let large = checks.first { $0.target.contains("≥ 1M elements") }, small = checks.first { $0.target.contains("under 1M") }
        XCTAssertEqual(large?.met, true, large?.measured ?? "no large-op target")
        XCTAssertEqual(small?.met, false, "the small op got slower at 2 threads: \(small?.measured ?? "no small-op target")")
    }

    func testTheCoreTargetIsMissedForAnOlderCoreEvenWhenTheUserChoseIt() {
        let avx2: Set<String> = ["avx", "avx2", "fma"]
        func target(_ core: String, setting: String?) -> TargetCheck? {
            let check = OpenBLASCoreCheck(coreName: core, config: "DYNAMIC_ARCH", cpuFlags: avx2, coreTypeSetting: setting)
            return checkTargets(rows: [], limits: [limits], lesson: nil, coreCheck: check).first { $0.target.contains("widest kernels") }
        }
        XCTAssertEqual(target("Haswell", setting: nil)?.met, true)
        XCTAssertEqual(target("Prescott", setting: nil)?.met, false)
        XCTAssertEqual(target("Prescott", setting: "Prescott")?.met, false)
        XCTAssertTrue(target("Prescott", setting: nil)?.measured.contains("OPENBLAS_CORETYPE=Haswell") ?? false)
    }

    func testFixedFormatting() {
        XCTAssertEqual(formatFixed(3.14159, 2), "3.14")
        XCTAssertEqual(formatFixed(0.0005, 3), "0.001")
        XCTAssertEqual(formatFixed(-2.5, 1), "-2.5")
        XCTAssertEqual(formatFixed(99.96, 1), "100.0")
        XCTAssertEqual(formatFixed(7, 0), "7")
        XCTAssertEqual(formatFixed(-0.0001, 2), "0.00")
    }
}
