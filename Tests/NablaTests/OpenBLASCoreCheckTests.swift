import Nabla
import XCTest

/// The slow-BLAS check against hand-made CPUs and cores (`nablaTests/CommandTests`
/// runs it on this machine with OPENBLAS_CORETYPE forced in a child process).
final class OpenBLASCoreCheckTests: XCTestCase {
    private let dynamic = "OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Prescott MAX_THREADS=64"
    private let sse: Set<String> = ["fpu", "sse", "sse2", "sse3", "ssse3", "sse4_1", "sse4_2"]
    private var avx2: Set<String> { sse.union(["avx", "fma", "avx2"]) }
    private var avx512: Set<String> { avx2.union(["avx512f", "avx512dq", "avx512bw", "avx512vl", "avx512cd"]) }

    func testPrescottOnAnAVX2CPUIsOlderAndTheWarningNamesCoreFeaturesAndFix() throws {
        let check = OpenBLASCoreCheck(coreName: "Prescott", config: dynamic, cpuFlags: avx2, coreTypeSetting: nil)
        XCTAssertEqual(check.verdict, .olderThanCPU)
        XCTAssertEqual(check.coreLevel, .sse)
        XCTAssertEqual(check.cpuLevel, .avx2)
        XCTAssertEqual(check.cpuFeatures, ["sse3", "ssse3", "sse4_1", "sse4_2", "avx", "fma", "avx2"])
        let warning = try XCTUnwrap(check.warning)
        XCTAssertTrue(warning.contains("Prescott kernels (SSE)"), warning)
        XCTAssertTrue(warning.contains("sse3 ssse3 sse4_1 sse4_2 avx fma avx2"), warning)
        XCTAssertTrue(warning.contains("OPENBLAS_CORETYPE=Haswell"), warning)
        XCTAssertFalse(warning.contains("\n"), "one line")
    }

    func testEveryOldCoreTheIssueNamesIsOlderThanAVX2() {
        for core in ["Prescott", "Nehalem", "Core2", "Katmai", "Sandybridge"] {
            let check = OpenBLASCoreCheck(coreName: core, config: dynamic, cpuFlags: avx2, coreTypeSetting: nil)
            XCTAssertEqual(check.verdict, .olderThanCPU, core)
        }
    }

    func testHaswellOrZenOnAnAVX512CPUIsOlderAndTheFixIsSkylakeX() throws {
        for core in ["Haswell", "Zen"] {
            let check = OpenBLASCoreCheck(coreName: core, config: dynamic, cpuFlags: avx512, coreTypeSetting: nil)
            XCTAssertEqual(check.verdict, .olderThanCPU, core)
            XCTAssertTrue(try XCTUnwrap(check.warning).contains("OPENBLAS_CORETYPE=SkylakeX"))
        }
    }

    func testTheWidestCoreForTheCPUMatchesAndWarnsNothing() {
        let cases: [(String, Set<String>)] = [("Haswell", avx2), ("Zen", avx2), ("SkylakeX", avx512),
                                              ("Cooperlake", avx512), ("Sapphirerapids", avx512), ("Prescott", sse),
                                              // A newer core than the flags admit is not slow; OpenBLAS knows best.
                                              ("SkylakeX", avx2)]
        for (core, flags) in cases {
            let check = OpenBLASCoreCheck(coreName: core, config: dynamic, cpuFlags: flags, coreTypeSetting: nil)
            XCTAssertEqual(check.verdict, .matchesCPU, core)
            XCTAssertNil(check.warning, core)
        }
    }

    func testAVX512WithoutBWAndVLIsAnAVX2CPUForOpenBLAS() {
        // Knights Landing has AVX-512F but not BW/VL, which OpenBLAS's SkylakeX kernels need.
        XCTAssertEqual(OpenBLASCoreCheck.Level(cpuFlags: avx2.union(["avx512f", "avx512cd"])), .avx2)
    }

    func testACoreTheUserChoseIsNeverSecondGuessed() {
        let check = OpenBLASCoreCheck(coreName: "Prescott", config: dynamic, cpuFlags: avx512, coreTypeSetting: "Prescott")
        XCTAssertEqual(check.verdict, .chosenByUser("Prescott"))
        XCTAssertNil(check.warning)
        // An empty setting is the same as an unset one: OpenBLAS ignores it.
        let empty = OpenBLASCoreCheck(coreName: "Prescott", config: dynamic, cpuFlags: avx512, coreTypeSetting: "")
        XCTAssertEqual(empty.verdict, .olderThanCPU)
    }

    func testWithoutDynamicArchTheFixIsAnotherBuildNotTheVariable() throws {
        let check = OpenBLASCoreCheck(coreName: "Prescott", config: "OpenBLAS 0.3.21 NO_LAPACKE Prescott MAX_THREADS=64",
                                      cpuFlags: avx2, coreTypeSetting: nil)
        let warning = try XCTUnwrap(check.warning)
        XCTAssertTrue(warning.contains("no DYNAMIC_ARCH"), warning)
        XCTAssertFalse(warning.contains("OPENBLAS_CORETYPE=Haswell"), warning)
    }

    func testUnknownCoresAndCPUsAreNotJudged() {
        let arm = OpenBLASCoreCheck(coreName: "NEOVERSEN1", config: dynamic, cpuFlags: [], coreTypeSetting: nil)
        XCTAssertEqual(arm.verdict, .unknown)
        XCTAssertNil(arm.warning)
        let noCPUInfo = OpenBLASCoreCheck(coreName: "Prescott", config: dynamic, cpuFlags: [], coreTypeSetting: nil)
        XCTAssertEqual(noCPUInfo.verdict, .unknown)
        XCTAssertNil(noCPUInfo.cpuLevel)
    }

    func testThisProcessIsAssessedWithOpenBLASsOwnCore() {
        XCTAssertEqual(OpenBLASCoreCheck.current.coreName, Nabla.openBLASCoreName)
        #if arch(x86_64)
        // Every x86-64 CPU has SSE2, and every one OpenBLAS still ships kernels for has SSE3.
        XCTAssertTrue(OpenBLASCoreCheck.current.cpuFeatures.contains("sse3"), "\(OpenBLASCoreCheck.current.cpuFeatures)")
        XCTAssertNotNil(OpenBLASCoreCheck.current.cpuLevel)
        // cpuid and the kernel agree on a machine that is not emulated.
        let info = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        if let flags = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) {
            let listed = Set(flags.split(separator: " ").map(String.init))
            XCTAssertEqual(listed.contains("avx2"), OpenBLASCoreCheck.current.cpuFeatures.contains("avx2"))
            XCTAssertEqual(listed.contains("avx512f"), OpenBLASCoreCheck.current.cpuFeatures.contains("avx512f"))
        }
        #endif
    }
}
