extension BenchReport {
    /// The report as plain text: the machine, one table, the lesson against PyTorch, the targets.
    public var text: String { rendered(markdown: false) }

    /// The same report in Markdown, for the results section of Benchmarks/README.md.
    public var markdown: String { rendered(markdown: true) }

    private func rendered(markdown: Bool) -> String {
        var lines: [String] = []
        // Markdown: header facts as a list, paragraphs separated by blank lines.
        let item = markdown ? "- " : ""
        let paragraphBreak: [String] = markdown ? [""] : []
        lines.append("Nabla benchmarks, \(date)\(quick ? " (quick)" : "")")
        lines += paragraphBreak
        lines.append("\(item)CPU: \(cpu), \(logicalCPUs) logical CPUs")
        lines.append("\(item)OpenBLAS: core \(openBLAS.coreName)\(openBLASCoreTypeVariable.map { " (OPENBLAS_CORETYPE=\($0))" } ?? ""), default threads \(openBLAS.defaultThreads); \(openBLAS.config)")
        for limit in limits {
            let avx512 = limit.avx512PeakGFLOPS.map { ", AVX-512 \(formatFixed($0, 1))" } ?? ""
            lines.append("\(item)Limits at \(limit.threads) thread\(limit.threads == 1 ? "" : "s"): fp32 FMA peak AVX2 \(formatFixed(limit.avx2PeakGFLOPS, 1))\(avx512) GFLOP/s; read bandwidth \(formatFixed(limit.readBandwidthGBs, 1)) GB/s (huge pages), \(formatFixed(limit.readBandwidthSmallPagesGBs, 1)) GB/s (4 KiB pages)")
        }
        lines.append("")
        lines.append("Figures are the best of interleaved rounds. speedup = reference time / BLAS time; % direct = direct CBLAS time / Nabla BLAS time;")
        lines.append("% limit = BLAS figure / the fp32 peak (compute-bound) or the huge-page read bandwidth (memory-bound beyond the caches, marked b) at that thread count.")
        lines.append("NumPy = numpy.linalg on the same kind of matrices at the same thread count, timed in the same run; % NumPy = NumPy time / Nabla BLAS time.")
        lines.append("Each variant keeps its time budget: one whose first call exceeds it is timed by that call alone; a reference figure \"(at shape)\" was measured on that smaller shape, where the row's own would take the reference minutes.")
        lines += paragraphBreak
        lines.append(renderTable(headers: Self.tableHeaders, rows: tableRows, leftAligned: [1, 2, 3], markdown: markdown))
        if !notes.isEmpty {
            lines += paragraphBreak
            lines += notes.map { item + $0 }
        }

        if let lesson {
            lines.append("")
            lines.append("The whole lesson (similarity, linear model 20 epochs, net 40 epochs) as separate processes, best of runs;")
            lines.append("training times in the steady state (PyTorch warmed up in a second process; JAX jit-compiled in a warm-up and pinned to one core), first-run times in brackets:")
            lines += paragraphBreak
            let runs = [lesson.nabla].compactMap { $0 } + lesson.nablaVariants + [lesson.baseline, lesson.pytorch, lesson.jax].compactMap { $0 }
            if !runs.isEmpty {
                lines.append(renderTable(
                    headers: ["engine", "threads", "linear s", "net s", "process s", "peak RSS MiB", "linear acc", "net acc"],
                    rows: runs.map { run in
                        [run.engine, "\(run.threads)",
                         "\(formatFixed(run.linearSeconds, 3)) (\(formatFixed(run.firstLinearSeconds, 3)))",
                         "\(formatFixed(run.netSeconds, 3)) (\(formatFixed(run.firstNetSeconds, 3)))",
                         formatFixed(run.processSeconds, 3), formatFixed(run.peakResidentMiB, 0),
                         formatFixed(run.linearAccuracy, 4), formatFixed(run.netAccuracy, 4)]
                    },
                    leftAligned: [0], markdown: markdown))
                lines += paragraphBreak
            }
            if let ratios = lesson.ratios {
                lines.append("Nabla / PyTorch time: linear model \(formatFixed(ratios.linear, 3))×, net \(formatFixed(ratios.net, 3))×, whole lesson \(formatFixed(ratios.whole, 3))×")
            }
            if let ratios = lesson.jaxRatios {
                lines.append("Nabla / JAX training time: linear model \(formatFixed(ratios.linear, 3))×, net \(formatFixed(ratios.net, 3))×")
            }
            lines += lesson.notes.map { item + $0 }
        }

        if let convolution { lines += convolution.lines(markdown: markdown) }
        if let floors = lessonFloors {
            lines.append("")
            lines.append("The lesson's BLAS floors: one epoch's matrix products (\(floors.trainItems) training and \(floors.validItems) validation images, batch \(floors.batchSize)) by direct CBLAS on preallocated buffers, one thread:")
            lines += paragraphBreak
            lines.append("\(item)net \(formatFixed(1000 * floors.netEpochSeconds, 2)) ms, linear model \(formatFixed(1000 * floors.linearEpochSeconds, 2)) ms per epoch"
                + (lesson?.nabla.map { run in
                    "; Nabla's epochs (the lesson's training time over its epochs) \(formatFixed(1000 * run.netSeconds / 40, 2)) ms (\(formatFixed(run.netSeconds / 40 / floors.netEpochSeconds, 2))× the floor) and \(formatFixed(1000 * run.linearSeconds / 20, 2)) ms (\(formatFixed(run.linearSeconds / 20 / floors.linearEpochSeconds, 2))×)"
                } ?? ""))
        }
        for step in steadyState {
            lines.append("\(item)A steady-state step of the net (\(step.threads) thread\(step.threads == 1 ? "" : "s"), prefetching \(step.prefetch ? "on" : "off"), \(step.steps) steps after a warm-up epoch): \(formatFixed(step.storageAllocationsPerStep, 2)) tensor-storage mallocs and \(formatFixed(step.minorFaultsPerStep, 2)) minor page faults per step (all mallocs per step: the Training suite of `swift package benchmark`)")
        }

        if !targets.isEmpty {
            lines.append("")
            lines.append("Targets:")
            lines += paragraphBreak
            for check in targets {
                lines.append("\(markdown ? "- " : "  ")[\(check.met ? "met" : "MISSED")] \(check.target): \(check.measured)")
            }
        }
        lines.append("")
        let load = loadAverage.map { formatFixed($0, 2) }.joined(separator: " → ")
        lines.append("Measured in \(formatFixed(seconds, 1)) s; one-minute load average \(load) on \(logicalCPUs) CPUs\(loadAverage.contains { $0 > Double(logicalCPUs) } ? " (a busy machine: figures are lower bounds, ratios noisier)" : "").")
        return lines.joined(separator: "\n")
    }

    static let tableHeaders = ["thr", "op", "shape", "unit", "BLAS", "reference", "speedup", "direct", "% direct", "% limit", "NumPy", "% NumPy"]

    var tableRows: [[String]] {
        rows.map { row -> [String] in
            [
                "\(row.threads)", row.op, row.shape, row.unit.rawValue,
                formatFigure(row.blas, row.unit), formatFigure(row.reference, row.unit) + (row.referenceShape.map { " (at \($0))" } ?? ""),
                "×" + formatFixed(row.speedup, row.speedup < 10 ? 2 : 1),
                row.direct.map { formatFigure($0, row.unit) } ?? "",
                row.percentOfDirect.map(formatPercent) ?? "",
                row.percentOfLimit.map { formatPercent($0) + (row.limit == .readBandwidth ? " b" : "") } ?? "",
                row.numpy.map { formatFigure($0, row.unit) } ?? "",
                row.percentOfNumPy.map(formatPercent) ?? "",
            ]
        }
    }
}

func formatFigure(_ value: Double, _ unit: WorkloadUnit) -> String {
    switch unit {
    case .gflops, .gbs: return formatFixed(value, value < 10 ? 2 : 1)
    case .milliseconds: return formatFixed(value, 3)
    case .microseconds: return formatFixed(value, 2)
    }
}

/// A plain-text (or Markdown) table with a header rule; columns not in `leftAligned` are right-aligned.
func renderTable(headers: [String], rows: [[String]], leftAligned: Set<Int>, markdown: Bool = false) -> String {
    let widths = headers.indices.map { column in
        ([headers[column]] + rows.map { $0[column] }).map(\.count).max() ?? 0
    }
    func line(_ cells: [String]) -> String {
        cells.enumerated().map { column, cell in
            let padding = String(repeating: " ", count: widths[column] - cell.count)
            return leftAligned.contains(column) ? cell + padding : padding + cell
        }.joined(separator: markdown ? " | " : "  ")
    }
    let rule = markdown
        ? widths.indices.map { String(repeating: "-", count: max(widths[$0] - 1, 1)) + (leftAligned.contains($0) ? "-" : ":") }.joined(separator: " | ")
        : widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")
    let text = [line(headers), rule] + rows.map(line)
    return (markdown ? text.map { "| \($0) |" } : text).joined(separator: "\n")
}
