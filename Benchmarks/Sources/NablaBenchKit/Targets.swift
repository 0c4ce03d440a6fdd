import NablaNN

/// The targets of the benchmark issue, checked against one run's figures;
/// a target whose figures the run did not measure is left out.
public func checkTargets(rows: [ResultRow], limits: [MachineLimits], lesson: LessonComparison?) -> [TargetCheck] {
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

    if let ratios = lesson?.ratios {
        for (name, ratio, bound) in [("linear model", ratios.linear, 0.25), ("net", ratios.net, 0.5), ("whole lesson", ratios.whole, 0.5)] {
            checks.append(TargetCheck(
                target: "Nabla's \(name) time ≤ \(formatFixed(bound, 2))× PyTorch's (\(lesson!.nabla!.threads) thread)",
                measured: "\(formatFixed(ratio, 3))×", met: ratio <= bound))
        }
    }
    return checks
}

func formatPercent(_ value: Double) -> String { formatFixed(value, 0) + "%" }

/// `value` with `decimals` digits after the point: NablaNN's printer, which
/// takes any Double (inf, NaN, scientific notation for huge magnitudes).
public func formatFixed(_ value: Double, _ decimals: Int) -> String {
    NablaNN.formatFixed(value, decimals: decimals)
}
