import CMachineLimits

/// The machine's fp32 compute peak and memory bandwidth at one thread count,
/// measured in this process (see `machine_limits.h`).
public struct MachineLimits: Codable, Sendable {
    public let threads: Int
    /// GFLOP/s of 256-bit FMA chains (the widest that OpenBLAS's Haswell kernels use).
    public let avx2PeakGFLOPS: Double
    /// GFLOP/s of 512-bit FMA chains, or nil when the CPU lacks AVX-512F.
    public let avx512PeakGFLOPS: Double?
    /// GB/s of a streaming read (summing a buffer far larger than the caches)
    /// from transparent huge pages: the memory limit.
    public let readBandwidthGBs: Double
    /// The same read from ordinary 4 KiB pages, as malloc returns them: what a
    /// kernel reading a plain heap buffer can reach.
    public let readBandwidthSmallPagesGBs: Double

    public init(threads: Int, avx2PeakGFLOPS: Double, avx512PeakGFLOPS: Double?,
                readBandwidthGBs: Double, readBandwidthSmallPagesGBs: Double) {
        self.threads = threads
        self.avx2PeakGFLOPS = avx2PeakGFLOPS
        self.avx512PeakGFLOPS = avx512PeakGFLOPS
        self.readBandwidthGBs = readBandwidthGBs
        self.readBandwidthSmallPagesGBs = readBandwidthSmallPagesGBs
    }

    /// The highest fp32 rate the cores reach: the limit a kernel is compared against.
    public var peakGFLOPS: Double { max(avx2PeakGFLOPS, avx512PeakGFLOPS ?? 0) }

    /// Whether the probes were compiled with optimization: in a debug build
    /// they run far below the machine's limits, and so does Nabla.
    public static var probesAreOptimized: Bool { nabla_machine_limits_optimized() != 0 }

    /// Measures on `threads` threads at once; `quick` shortens each loop.
    public static func measure(threads: Int, quick: Bool) -> MachineLimits {
        let seconds = quick ? 0.1 : 0.4
        let avx512 = nabla_cpu_supports(NablaISA_AVX512F) != 0
            ? nabla_fma_peak_gflops(NablaISA_AVX512F, Int32(threads), seconds) : nil
        // 256 MiB per thread: far beyond any L3, so it measures DRAM.
        func bandwidth(hugePages: Bool) -> Double {
            nabla_read_bandwidth_gbs(256 << 20, Int32(threads), quick ? 8 : 20, hugePages ? 1 : 0)
        }
        return MachineLimits(
            threads: threads,
            avx2PeakGFLOPS: nabla_fma_peak_gflops(NablaISA_AVX2_FMA, Int32(threads), seconds),
            avx512PeakGFLOPS: avx512,
            readBandwidthGBs: bandwidth(hugePages: true),
            readBandwidthSmallPagesGBs: bandwidth(hugePages: false))
    }
}
