import Nabla

/// The families of benchmarked operations, one package-benchmark suite each.
public enum WorkloadKind: String, Codable, CaseIterable, Sendable {
    case product, reduction, elementwise, training, autograd, linalg
}

/// How a workload's speed is best stated.
public enum WorkloadUnit: String, Codable, Sendable {
    /// GFLOP/s: products.
    case gflops = "GFLOP/s"
    /// GB/s of the bytes the op must move: reductions and elementwise ops.
    case gbs = "GB/s"
    /// Milliseconds per call: training steps.
    case milliseconds = "ms"
    /// Microseconds per call: tiny ops, where overhead is the story.
    case microseconds = "µs"
}

/// The machine limit a workload is measured against.
public enum WorkloadLimit: String, Codable, Sendable {
    /// The fp32 FMA peak: compute-bound work.
    case fmaPeak = "fp32 peak"
    /// The streaming-read bandwidth: memory-bound work on data far larger than the caches.
    case readBandwidth = "read bandwidth"
}

/// One operation on one shape, runnable on either backend.
public struct Workload {
    public let kind: WorkloadKind
    public let op: String
    public let shape: String
    public let unit: WorkloadUnit
    /// FLOPs per call (2·m·n·k for a product), 0 where not counted.
    public let flops: Double
    /// The bytes a call must move at least: each input read once, each output written once.
    public let bytes: Double
    /// What bounds the op, if the comparison means something: nil for
    /// memory-bound work that fits in the caches.
    public let limit: WorkloadLimit?
    /// The same work in NumPy, timed in the same run where NumPy is installed.
    public let numpy: NumPyStatement?
    /// Builds the inputs (once, shared by both backends) and returns the call to time.
    public let prepare: () -> PreparedWorkload
    /// The same op on a smaller shape, timed on the reference backend in this
    /// one's place where this shape would take the reference minutes (marked in the table).
    public private(set) var referenceStandIn: ReferenceStandIn?

    public init(kind: WorkloadKind, op: String, shape: String, unit: WorkloadUnit, flops: Double = 0,
                bytes: Double = 0, limit: WorkloadLimit?, numpy: NumPyStatement? = nil,
                prepare: @escaping () -> PreparedWorkload) {
        self.kind = kind; self.op = op; self.shape = shape; self.unit = unit
        self.flops = flops; self.bytes = bytes; self.limit = limit; self.numpy = numpy; self.prepare = prepare
    }

    /// This workload with the reference backend timed on `smaller` instead.
    public func withReferenceStandIn(_ smaller: Workload) -> Workload {
        var copy = self
        copy.referenceStandIn = ReferenceStandIn(smaller)
        return copy
    }

    /// The figure in `unit` for a call taking `seconds`.
    public func figure(seconds: Double) -> Double {
        switch unit {
        case .gflops: return flops / seconds * 1e-9
        case .gbs: return bytes / seconds * 1e-9
        case .milliseconds: return seconds * 1e3
        case .microseconds: return seconds * 1e6
        }
    }

    /// The fraction of the machine's `limit` that a call taking `seconds` reaches.
    public func fractionOfLimit(seconds: Double, limits: MachineLimits) -> Double? {
        switch limit {
        case .readBandwidth?: return bytes / seconds * 1e-9 / limits.readBandwidthGBs
        case .fmaPeak?: return flops / seconds * 1e-9 / limits.peakGFLOPS
        case nil: return nil
        }
    }

    /// Memory traffic this large does not fit in the caches (32 MiB of L3 and more on current CPUs).
    static func exceedsCaches(bytes: Double) -> Bool { bytes >= 48 * 1024 * 1024 }

    /// A readable name for logs and package-benchmark.
    public var name: String { "\(op) \(shape)" }
}

/// The smaller workload a row's reference figure comes from (a class: a struct cannot hold its own type).
public final class ReferenceStandIn {
    public let workload: Workload
    init(_ workload: Workload) { self.workload = workload }
}

/// A workload with its inputs built.
public struct PreparedWorkload {
    /// One call, on whichever backend is current.
    public let call: () -> Void
    /// The same product done by a direct CBLAS call, for products.
    public let direct: DirectBLASProduct?
    /// For products, Nabla's result of `call`, to check it against `direct`.
    public let product: (() -> Tensor)?

    public init(call: @escaping () -> Void, direct: DirectBLASProduct? = nil, product: (() -> Tensor)? = nil) {
        self.call = call
        self.direct = direct
        self.product = product
    }
}

/// Keeps a result alive so that the work producing it cannot be skipped.
@inline(never)
public func keep<T>(_ value: T) {
    withExtendedLifetime(value) {}
}

/// `[a, b, c]` as `a×b×c`.
func shapeText(_ shape: [Int]) -> String {
    shape.map(String.init).joined(separator: "×")
}

extension Workload {
    /// The workloads of one kind; `quick` keeps the few that show the most in little time.
    public static func catalog(_ kind: WorkloadKind, quick: Bool) -> [Workload] {
        switch kind {
        case .product: return products(quick: quick)
        case .reduction: return reductions(quick: quick)
        case .elementwise: return elementwise(quick: quick)
        case .training: return training(quick: quick)
        case .autograd: return autograd(quick: quick)
        case .linalg: return linalg(quick: quick)
        }
    }
}
