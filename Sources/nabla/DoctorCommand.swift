import ArgumentParser
import CMachineLimits
import Foundation
import Nabla
import NablaNN

/// Says whether this machine's BLAS is as fast as its CPU allows: OpenBLAS's core
/// and configuration, the CPU's features, one thread's sgemm speed against the
/// FMA peak measured in the same process, and whether BLAS agrees with the
/// reference backend.
struct DoctorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Checks that OpenBLAS runs the fastest kernels this CPU has, and measures it.",
        discussion: """
            OpenBLAS before 0.3.25 runs its SSE3 "Prescott" kernels, 5-10x slower, on Intel CPUs it does not know.
            Nabla prints one warning line to standard error at the first BLAS call when that happens;
            this command shows the details. It exits with status 1 when BLAS and the reference backend disagree.
            """
    )

    @Flag(help: "Print one JSON object instead of the report.")
    var json = false

    /// The product timed for the sgemm figure: square, large enough for OpenBLAS's
    /// kernels to reach their steady speed, small enough to time in a fraction of a second.
    static let size = 1024

    func run() throws {
        let check = OpenBLASCoreCheck.current
        let configuredThreads = Nabla.threadCount
        Nabla.setThreadCount(1)
        let sgemm = Self.sgemmGFLOPS()
        let peak = Self.fmaPeakGFLOPS()
        Nabla.setThreadCount(configuredThreads)
        let agreement = Self.agreementWithReference()
        let agrees = agreement <= 1e-4

        if json {
            var report = JSONReport()
            report.add("openblas_core", check.coreName)
            report.add("openblas_config", Nabla.openBLASConfig)
            report.add("openblas_coretype", ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] ?? "")
            report.add("openblas_threads", configuredThreads)
            report.add("cpu_features", check.cpuFeatures.joined(separator: " "))
            report.add("core_level", check.coreLevel?.description ?? "unknown")
            report.add("cpu_level", check.cpuLevel?.description ?? "unknown")
            report.add("sgemm_gflops", sgemm)
            report.add("fma_peak_gflops", peak)
            report.add("optimized_build", Int(nabla_machine_limits_optimized()))
            report.add("max_relative_difference_from_reference", Double(agreement))
            report.add("verdict", Self.verdictName(check.verdict))
            report.add("advice", Self.advice(check))
            print(report.text)
        } else {
            let setting = ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"]
            print("OpenBLAS core:    \(check.coreName) (\(check.coreLevel?.description ?? "unknown instruction set")); "
                + (setting.map { "OPENBLAS_CORETYPE=\($0)" } ?? "OPENBLAS_CORETYPE unset, so OpenBLAS chose it"))
            print("OpenBLAS config:  \(Nabla.openBLASConfig)")
            print("OpenBLAS threads: \(configuredThreads)")
            print("CPU features:     \(check.cpuFeatures.isEmpty ? "unknown" : check.cpuFeatures.joined(separator: " "))"
                + (check.cpuLevel.map { " (up to \($0))" } ?? ""))
            print("sgemm, one thread, \(Self.size)×\(Self.size)×\(Self.size): \(formatFixed(sgemm, decimals: 1)) GFLOP/s; "
                + (peak > 0 ? "FMA peak \(formatFixed(peak, decimals: 1)) GFLOP/s, so \(formatFixed(100 * sgemm / peak, decimals: 0))% of it"
                            : "the FMA peak is unknown on this CPU"))
            if nabla_machine_limits_optimized() == 0 {
                print("(a debug build: the FMA peak loop runs far below the machine's limit; use swift run -c release nabla doctor)")
            }
            print("BLAS against the reference backend, [256,784]·[784,30]: largest difference \(agreement) of the largest value"
                + (agrees ? " (agrees)" : " (DISAGREES: BLAS gives wrong results)"))
            print("Verdict: \(Self.advice(check))")
        }
        if !agrees { throw ExitCode(1) }
    }

    static func verdictName(_ verdict: OpenBLASCoreCheck.Verdict) -> String {
        switch verdict {
        case .matchesCPU: "matches the CPU"
        case .olderThanCPU: "older than the CPU"
        case .chosenByUser: "chosen by the user"
        case .unknown: "unknown"
        }
    }

    static func advice(_ check: OpenBLASCoreCheck) -> String {
        switch check.verdict {
        case .matchesCPU:
            return "OpenBLAS runs the widest kernels this CPU has."
        case .olderThanCPU:
            return "OpenBLAS's \(check.coreName) kernels are older than this CPU (\(check.cpuLevel!)): \(check.fix)."
        case .chosenByUser(let setting):
            var text = "OPENBLAS_CORETYPE=\(setting) is the user's choice; Nabla leaves it alone."
            if let core = check.coreLevel, let cpu = check.cpuLevel, core < cpu {
                text += " Its \(check.coreName) kernels are older than this CPU (\(cpu)): OPENBLAS_CORETYPE=\(cpu.coreType) would be faster."
            }
            return text
        case .unknown:
            return "Nabla does not know OpenBLAS's \(check.coreName) core or this CPU's features, so it cannot judge them."
        }
    }

    /// Nabla's 1024³ product at the current thread count: the best of rounds for about half a second.
    static func sgemmGFLOPS() -> Double {
        var generator = RandomGenerator(seed: 1)
        let a = Tensor.randn([size, size], generator: &generator), b = Tensor.randn([size, size], generator: &generator)
        let clock = ContinuousClock()
        let start = clock.now
        var best = Double.infinity
        repeat {
            let round = clock.measure { _ = a.matmul(b) }
            best = min(best, Double(round.components.seconds) + Double(round.components.attoseconds) * 1e-18)
        } while clock.now - start < .milliseconds(500)
        return 2 * Double(size * size * size) / best * 1e-9
    }

    /// One thread's fp32 FMA peak: AVX-512 where the CPU has it, else AVX2, else 0.
    static func fmaPeakGFLOPS() -> Double {
        let isa = nabla_cpu_supports(NablaISA_AVX512F) != 0 ? NablaISA_AVX512F : NablaISA_AVX2_FMA
        return nabla_fma_peak_gflops(isa, 1, 0.3)
    }

    /// The largest difference between BLAS's and the reference backend's product
    /// of the lesson's shapes, relative to the largest value.
    static func agreementWithReference() -> Float {
        var generator = RandomGenerator(seed: 2)
        let x = Tensor.rand([256, 784], generator: &generator), w = Tensor.randn([784, 30], generator: &generator)
        let blas = withBackend(.blas) { x.matmul(w) }.scalars
        let reference = withBackend(.reference) { x.matmul(w) }.scalars
        let largest = reference.map(abs).max() ?? 0
        let difference = zip(blas, reference).map { abs($0 - $1) }.max() ?? 0
        return largest > 0 ? difference / largest : difference
    }
}
