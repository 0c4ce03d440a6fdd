import Nabla
import NablaNN

/// The targets of the benchmark issue, checked against one run's figures;
/// a target whose figures the run did not measure is left out.
public func checkTargets(rows: [ResultRow], limits: [MachineLimits], lesson: LessonComparison?,
                         floors: LessonFloors? = nil, steadyState: [SteadyStateStep] = [],
                         convolution: ConvolutionComparison? = nil, coreCheck: OpenBLASCoreCheck? = nil) -> [TargetCheck] {
    var checks: [TargetCheck] = []
    let threadCounts = Array(Set(rows.map(\.threads))).sorted()

    func worstOfDirect(_ matching: (ResultRow) -> Bool, threads: Int, atLeast percent: Double, target: String) {
        let chosen = rows.filter { $0.threads == threads && $0.percentOfDirect != nil && matching($0) }
        guard let worst = chosen.min(by: { $0.percentOfDirect! < $1.percentOfDirect! }) else { return }
        checks.append(TargetCheck(
            target: "\(target), \(threads) thread\(threads == 1 ? "" : "s")",
            measured: "lowest \(formatPercent(worst.percentOfDirect!)) (\(worst.op) \(worst.shape)); all: "
                + chosen.map { formatPercent($0.percentOfDirect!) }.joined(separator: " "),
            met: worst.percentOfDirect! >= percent))
    }
    for threads in threadCounts {
        worstOfDirect({ $0.op == "gemm" && (Int($0.shape.prefix(while: \.isNumber)) ?? 0) >= 256 }, threads: threads,
                      atLeast: 95, target: "Tensor matmul ≥ 95% of direct cblas_sgemm for n ≥ 256")
        worstOfDirect({ $0.op.hasPrefix("lesson") }, threads: threads,
                      atLeast: 85, target: "Tensor matmul ≥ 85% of direct CBLAS on the lesson's shapes")
    }

    let largeReductions = rows.filter { $0.threads == 1 && $0.kind == .reduction && $0.shape.hasPrefix("60000") }
    if let worst = largeReductions.min(by: { ($0.percentOfLimit ?? 0) < ($1.percentOfLimit ?? 0) }),
       let bandwidth = limits.first(where: { $0.threads == 1 })?.readBandwidthGBs {
        checks.append(TargetCheck(
            target: "Reductions over a large tensor ≥ 70% of one-thread read bandwidth (\(formatFixed(bandwidth, 1)) GB/s)",
            measured: "lowest \(formatPercent(worst.percentOfLimit ?? 0)) (\(worst.op), \(formatFixed(worst.blas, 1)) GB/s); all: "
                + largeReductions.map { formatPercent($0.percentOfLimit ?? 0) }.joined(separator: " "),
            met: (worst.percentOfLimit ?? 0) >= 70))
    }

    if let reference1024 = rows.first(where: { $0.threads == 1 && $0.op == "gemm" && $0.shape.hasPrefix("1024×") }) {
        checks.append(TargetCheck(
            target: "Reference matmul ≥ 20 GFLOP/s at n = 1024",
            measured: "\(formatFixed(reference1024.reference, 1)) GFLOP/s (BLAS ×\(formatFixed(reference1024.speedup, 1)) faster)",
            met: reference1024.reference >= 20))
    }

    // The autograd issue's per-op overhead aims, on one thread.
    for (op, bound) in [("a + b (records graph)", 1.0), ("(a * b).sum().backward()", 5.0)] {
        if let row = rows.first(where: { $0.threads == 1 && $0.op == op }) {
            checks.append(TargetCheck(
                target: "\(op) on 4-element tensors under \(formatFixed(bound, 0)) µs",
                measured: "\(formatFixed(row.blas, 2)) µs (BLAS backend), \(formatFixed(row.reference, 2)) µs (reference)",
                met: row.blas < bound))
        }
    }

    // The lesson at the BLAS floor (issue 17): PyTorch warmed up, one thread.
    if let ratios = lesson?.ratios {
        for (name, ratio, bound) in [("linear model's 20 epochs", ratios.linear, 0.15), ("net's 40 epochs", ratios.net, 0.35),
                                     ("whole lesson from process start", ratios.whole, 0.1)] {
            checks.append(TargetCheck(
                target: "Nabla's \(name) ≤ \(formatFixed(bound, 2))× PyTorch's (\(lesson!.nabla!.threads) thread, PyTorch warmed up)",
                measured: "\(formatFixed(ratio, 3))×", met: ratio <= bound))
        }
    }
    checks += epochsAgainstFloors(lesson: lesson, floors: floors, net: 1.15, linear: 3.0, lead: "The")
    if let nabla = lesson?.nabla {
        checks.append(TargetCheck(target: "The lesson's peak RSS ≤ 60 MiB", measured: "\(formatFixed(nabla.peakResidentMiB, 0)) MiB",
                                  met: nabla.peakResidentMiB <= 60))
        if let two = lesson?.nablaVariants.first(where: { $0.threads == 2 }) {
            checks.append(TargetCheck(
                target: "The whole lesson not slower at 2 OpenBLAS threads than at \(nabla.threads)",
                measured: "\(formatFixed(two.processSeconds, 3)) s against \(formatFixed(nabla.processSeconds, 3)) s (training \(formatFixed(two.linearSeconds + two.netSeconds, 3)) s against \(formatFixed(nabla.linearSeconds + nabla.netSeconds, 3)) s)",
                met: two.processSeconds <= nabla.processSeconds))
        }
    }
    for step in steadyState {
        checks.append(TargetCheck(
            target: "No tensor-storage malloc and no minor page fault in a steady-state step of the net (\(step.threads) thread\(step.threads == 1 ? "" : "s"))",
            measured: "\(formatFixed(step.storageAllocationsPerStep, 2)) mallocs, \(formatFixed(step.minorFaultsPerStep, 2)) faults per step over \(step.steps) steps",
            met: step.storageAllocationsPerStep == 0 && step.minorFaultsPerStep == 0))
    }
    checks += issue23Targets(rows: rows, lesson: lesson, floors: floors, convolution: convolution, coreCheck: coreCheck)
    return checks
}

/// Issue 23's targets ("speed past the BLAS floor"), each from this run's figures.
func issue23Targets(rows: [ResultRow], lesson: LessonComparison?, floors: LessonFloors?,
                    convolution: ConvolutionComparison?, coreCheck: OpenBLASCoreCheck?) -> [TargetCheck] {
    var checks: [TargetCheck] = []
    let prefix = "Issue 23: "
    func times(_ value: Double) -> String { formatFixed(value, 2) + "×" }
    // 1. The lesson's training at its floor.
    checks += epochsAgainstFloors(lesson: lesson, floors: floors, net: 1.10, linear: 2.0, lead: "\(prefix)the")
    // 2. Ahead of the jitted JAX step.
    if let ratios = lesson?.jaxRatios {
        for (name, ratio, bound) in [("net", ratios.net, 0.80), ("linear model", ratios.linear, 0.60)] {
            checks.append(TargetCheck(target: "\(prefix)the \(name)'s training ≤ \(times(bound)) a jitted JAX step's on one pinned core",
                                      measured: times(ratio), met: ratio <= bound))
        }
    }
    // 3. Convolutions ahead of PyTorch layer by layer, and the CNN epoch.
    if let convolution {
        let ratios = convolution.rows.flatMap { row -> [(String, Double)] in
            [("\(row.shape.layer) \(row.shape.batch) forward", row.pytorchForwardSeconds.map { row.blasForwardSeconds / $0 }),
             ("\(row.shape.layer) \(row.shape.batch) forward+backward", row.pytorchTrainingSeconds.map { row.blasTrainingSeconds / $0 })]
                .compactMap { name, ratio in ratio.map { (name, $0) } }
        }
        if let worst = ratios.max(by: { $0.1 < $1.1 }) {
            checks.append(TargetCheck(
                target: "\(prefix)every conv2d row ≤ 1.00× PyTorch's time (one thread)",
                measured: "worst \(times(worst.1)) (\(worst.0)); all: " + ratios.map { times($0.1) }.joined(separator: " "),
                met: worst.1 <= 1))
        }
        if let cnn = convolution.cnn {
            if let ratio = cnn.ratio {
                checks.append(TargetCheck(target: "\(prefix)the CNN's training ≤ 0.45× PyTorch's (one thread, \(cnn.batches) batches)",
                                          measured: times(ratio), met: ratio <= 0.45))
            }
            // 4. Two cores that help.
            if let ratio = cnn.twoThreadRatio {
                checks.append(TargetCheck(target: "\(prefix)the CNN at 2 threads ≤ 0.60× its 1-thread time",
                                          measured: times(ratio), met: ratio <= 0.60))
            }
        }
    }
    let scaling = rows.filter { ($0.kind == .elementwise || $0.kind == .reduction) && $0.threads == 1 }.compactMap { one -> (ResultRow, Double)? in
        guard let two = rows.first(where: { $0.threads == 2 && $0.op == one.op && $0.shape == one.shape }) else { return nil }
        return (one, one.blasSeconds / two.blasSeconds)
    }
    let large = scaling.filter { leadingElementCount($0.0.shape) >= 1 << 20 }, small = scaling.filter { leadingElementCount($0.0.shape) < 1 << 20 }
    if let worst = large.min(by: { $0.1 < $1.1 }) {
        checks.append(TargetCheck(
            target: "\(prefix)elementwise ops and reductions of ≥ 1M elements ≥ 1.70× faster at 2 threads",
            measured: "slowest \(times(worst.1)) (\(worst.0.op) \(worst.0.shape)); all: " + large.map { times($0.1) }.joined(separator: " "),
            met: worst.1 >= 1.7))
    }
    if let worst = small.min(by: { $0.1 < $1.1 }) {
        checks.append(TargetCheck(
            target: "\(prefix)elementwise ops and reductions under 1M elements not slower at 2 threads (within 5%)",
            measured: "slowest \(times(worst.1)) the 1-thread speed (\(worst.0.op) \(worst.0.shape))",
            met: worst.1 >= 0.95))
    }
    // 5. The whole lesson small and quick.
    if let nabla = lesson?.nabla {
        checks.append(TargetCheck(target: "\(prefix)the lesson's peak RSS ≤ 64 MiB", measured: "\(formatFixed(nabla.peakResidentMiB, 0)) MiB",
                                  met: nabla.peakResidentMiB <= 64))
    }
    if let two = lesson?.nablaVariants.first(where: { $0.threads == 2 }) {
        checks.append(TargetCheck(target: "\(prefix)the whole lesson ≤ 1.2 s at 2 threads from process start",
                                  measured: "\(formatFixed(two.processSeconds, 3)) s", met: two.processSeconds <= 1.2))
    }
    // 6. No silent slow BLAS.
    if let coreCheck {
        checks.append(TargetCheck(
            target: "\(prefix)OpenBLAS runs the widest kernels this CPU has (`nabla doctor`)",
            measured: "core \(coreCheck.coreName) (\(coreCheck.coreLevel?.description ?? "unknown")) on a CPU with \(coreCheck.cpuLevel?.description ?? "unknown features")"
                + (coreCheck.verdict == .olderThanCPU ? ": \(coreCheck.fix)" : ""),
            met: coreCheck.coreLevel.flatMap { core in coreCheck.cpuLevel.map { core >= $0 } } ?? false))
    }
    return checks
}

/// Each model's epoch (the net's 40, the linear model's 20) against its BLAS floor, met
/// within `net` (resp. `linear`) times the floor; `lead` begins the target's text.
func epochsAgainstFloors(lesson: LessonComparison?, floors: LessonFloors?, net: Double, linear: Double,
                         lead: String) -> [TargetCheck] {
    guard let floors, let nabla = lesson?.nabla else { return [] }
    return [("net", nabla.netSeconds / 40, floors.netEpochSeconds, net),
            ("linear model", nabla.linearSeconds / 20, floors.linearEpochSeconds, linear)].map { name, epoch, floor, bound in
        TargetCheck(
            target: "\(lead) \(name)'s epoch ≤ \(formatFixed(bound, 2))× its BLAS floor (\(nabla.threads) thread)",
            measured: "\(formatFixed(1000 * epoch, 2)) ms against \(formatFixed(1000 * floor, 2)) ms: \(formatFixed(epoch / floor, 2))×",
            met: epoch <= bound * floor)
    }
}

/// The element count of a shape's first operand: "10000×28×28 + 28×28" → 7,840,000.
func leadingElementCount(_ shape: String) -> Int {
    let first = shape.split(separator: " ").first ?? ""
    return first.split(separator: "×").reduce(1) { $0 * (Int($1) ?? 1) }
}

func formatPercent(_ value: Double) -> String { formatFixed(value, 0) + "%" }

/// `value` with `decimals` digits after the point: NablaNN's printer, which
/// takes any Double (inf, NaN, scientific notation for huge magnitudes).
public func formatFixed(_ value: Double, _ decimals: Int) -> String {
    NablaNN.formatFixed(value, decimals: decimals)
}
