import COpenBLAS
import Foundation

/// Whether OpenBLAS runs the fastest kernels this CPU can execute.
///
/// OpenBLAS picks a kernel family ("core") from the CPU's model number. Versions
/// before 0.3.25 fall through to their SSE3 `Prescott` kernels, 5–10× slower, on
/// Intel CPUs they do not know (Raptor Lake, Lunar Lake, Arrow Lake, Emerald Rapids),
/// and say nothing. Nabla compares the core's instruction set with the CPU's and,
/// at the first BLAS call of a process, prints one line to standard error when the
/// core is older, naming the core, the CPU's features and the fix.
/// It never sets `OPENBLAS_CORETYPE` itself: a core the user chose is left alone.
public struct OpenBLASCoreCheck: Sendable, Equatable {
    /// The instruction-set levels that matter for OpenBLAS's fp32 kernels, oldest first.
    public enum Level: Int, Sendable, Comparable, CustomStringConvertible {
        /// SSE only (Katmai, Prescott, Core2, Nehalem, the Opterons, Atom, …).
        case sse = 0
        /// 256-bit AVX without FMA3 (Sandybridge; AMD's Bulldozer family uses FMA4).
        case avx = 1
        /// AVX2 with FMA3 (Haswell, Zen).
        case avx2 = 2
        /// AVX-512 F, BW, DQ and VL (SkylakeX, Cooperlake, Sapphirerapids).
        case avx512 = 3

        public static func < (a: Level, b: Level) -> Bool { a.rawValue < b.rawValue }

        public var description: String { ["SSE", "AVX", "AVX2+FMA", "AVX-512"][rawValue] }

        /// The `OPENBLAS_CORETYPE` value that selects this level's kernels in
        /// OpenBLAS 0.3.21 and later (`Cooperlake` is not a name 0.3.21 accepts).
        public var coreType: String { ["Prescott", "Sandybridge", "Haswell", "SkylakeX"][rawValue] }

        /// The level of an OpenBLAS core name (`openblas_get_corename()`), nil for a name this table does not know.
        public init?(openBLASCore name: String) {
            switch name.lowercased() {
            case "katmai", "coppermine", "northwood", "prescott", "banias", "atom", "core2", "penryn", "dunnington",
                 "nehalem", "athlon", "opteron", "opteron_sse3", "barcelona", "nano":
                self = .sse
            case "sandybridge", "bulldozer", "piledriver", "steamroller", "excavator":
                self = .avx
            case "haswell", "zen":
                self = .avx2
            case "skylakex", "cooperlake", "sapphirerapids":
                self = .avx512
            default:
                return nil
            }
        }

        /// The highest level a CPU with these `/proc/cpuinfo` flags (lowercase) can run.
        public init(cpuFlags flags: Set<String>) {
            if ["avx512f", "avx512bw", "avx512dq", "avx512vl"].allSatisfy(flags.contains) {
                self = .avx512
            } else if flags.contains("avx2") && flags.contains("fma") {
                self = .avx2
            } else if flags.contains("avx") {
                self = .avx
            } else {
                self = .sse
            }
        }
    }

    /// What the check concluded.
    public enum Verdict: Sendable, Equatable {
        /// The core uses the widest instructions the CPU has.
        case matchesCPU
        /// The core is older than the CPU: products run several times slower than they could.
        case olderThanCPU
        /// The user chose the core through `OPENBLAS_CORETYPE`; Nabla neither overrides nor second-guesses it.
        case chosenByUser(String)
        /// The core or the CPU's features are unknown (a non-x86 CPU, no `/proc/cpuinfo`, a new core name).
        case unknown
    }

    /// OpenBLAS's core name, e.g. `Haswell`.
    public let coreName: String
    /// Whether OpenBLAS was built with `DYNAMIC_ARCH`, the only kind that reads `OPENBLAS_CORETYPE`.
    public let dynamicArch: Bool
    /// The CPU's SIMD feature flags relevant to OpenBLAS, as `/proc/cpuinfo` names them, in a fixed order.
    public let cpuFeatures: [String]
    /// The core's instruction-set level, nil for an unknown core.
    public let coreLevel: Level?
    /// The CPU's highest level, nil when its features are unknown.
    public let cpuLevel: Level?
    public let verdict: Verdict

    /// The flags reported in ``cpuFeatures``.
    static let relevantFlags = ["sse3", "ssse3", "sse4_1", "sse4_2", "avx", "fma", "avx2",
                                "avx512f", "avx512dq", "avx512bw", "avx512vl"]

    /// Assesses a core against a CPU with these feature flags (`/proc/cpuinfo`'s
    /// names, lowercase); `cpuFlags` empty means the features are unknown;
    /// `coreTypeSetting` is `OPENBLAS_CORETYPE` (nil when unset).
    public init(coreName: String, config: String, cpuFlags: Set<String>, coreTypeSetting: String?) {
        self.coreName = coreName
        dynamicArch = config.contains("DYNAMIC_ARCH")
        cpuFeatures = Self.relevantFlags.filter(cpuFlags.contains)
        coreLevel = Level(openBLASCore: coreName)
        cpuLevel = cpuFlags.isEmpty ? nil : Level(cpuFlags: cpuFlags)
        if let setting = coreTypeSetting, !setting.isEmpty {
            verdict = .chosenByUser(setting)
        } else if let core = coreLevel, let cpu = cpuLevel {
            verdict = core < cpu ? .olderThanCPU : .matchesCPU
        } else {
            verdict = .unknown
        }
    }

    /// This process's OpenBLAS on this CPU, whose features come from cpuid as OpenBLAS sees them.
    public static let current = OpenBLASCoreCheck(
        coreName: Nabla.openBLASCoreName, config: Nabla.openBLASConfig,
        cpuFlags: cpuFlags(featureMask: nabla_cpu_feature_mask()),
        coreTypeSetting: ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"])

    /// The names (`/proc/cpuinfo`'s spelling) of the features set in a `nabla_cpu_feature_mask()` value.
    static func cpuFlags(featureMask mask: UInt32) -> Set<String> {
        let names = NABLA_CPU_FEATURE_NAMES.split(separator: " ").map(String.init)
        return Set(names.indices.filter { mask & (1 << $0) != 0 }.map { names[$0] })
    }

    /// The fix for an older core: the core type to set, or, for an OpenBLAS built
    /// for one core, a build that knows this CPU.
    public var fix: String {
        guard let cpu = cpuLevel else { return "" }
        return dynamicArch
            ? "run with OPENBLAS_CORETYPE=\(cpu.coreType) set in the environment (OpenBLAS 0.3.25 and later detect this CPU themselves)"
            : "this OpenBLAS was built for one core (no DYNAMIC_ARCH), so OPENBLAS_CORETYPE cannot change it; install an OpenBLAS built with DYNAMIC_ARCH, 0.3.25 or later"
    }

    /// The standard-error line for an older core, nil otherwise.
    public var warning: String? {
        guard verdict == .olderThanCPU, let core = coreLevel, let cpu = cpuLevel else { return nil }
        return "nabla: warning: OpenBLAS runs its \(coreName) kernels (\(core)) on a CPU with \(cpu) "
            + "(\(cpuFeatures.joined(separator: " "))), so matrix products run several times slower than they could; "
            + "\(fix). `nabla doctor` measures it."
    }

    /// Prints ``warning`` for this process once; the first BLAS call runs it.
    static let warnOnce: Void = {
        if let line = current.warning {
            FileHandle.standardError.write(Data((line + "\n").utf8))
        }
    }()
}
