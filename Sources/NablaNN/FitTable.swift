/// Prints fastai's training table, one row per epoch:
///
///     epoch  train_loss  valid_loss  accuracy  time
///     0      0.636857    0.503549    0.495584  00:00.04
///
/// and, on a terminal, a progress bar over the current epoch's batches that
/// the next row overwrites.
struct FitTable {
    let console: Console
    let columns: [String]
    private let showsProgress: Bool
    private var lastDraw = 0.0
    private var progressDrawn = false

    init(console: Console, metricNames: [String]) {
        self.console = console
        columns = ["epoch", "train_loss", "valid_loss"] + metricNames + ["time"]
        showsProgress = console.isTerminal
    }

    private func width(_ column: String) -> Int { max(column.count, 9) + 2 }

    private func padded(_ cells: [String]) -> String {
        zip(columns, cells).map { column, cell in
            cell + String(repeating: " ", count: max(width(column) - cell.count, 1))
        }.joined()
    }

    func printHeader() { console.writeLine(padded(columns)) }

    /// Redraws the bar, at most every 50 ms (and always for the last batch).
    mutating func showProgress(batch: Int, of total: Int, phase: String) {
        guard showsProgress else { return }
        let now = monotonicSeconds()
        guard batch == total || now - lastDraw >= 0.05 else { return }
        lastDraw = now
        let barWidth = 30
        let filled = total > 0 ? barWidth * batch / total : barWidth
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: barWidth - filled)
        console.write("\r\u{1B}[2K|\(bar)| \(batch)/\(total) \(phase) batches")
        progressDrawn = true
    }

    /// Erases the progress bar, if one is drawn, so that the next line starts clean.
    mutating func clearProgress() {
        if progressDrawn { console.write("\r\u{1B}[2K"); progressDrawn = false }
    }

    mutating func printRow(epoch: Int, trainLoss: Float, validLoss: Float, metrics: [Float], seconds: Double) {
        clearProgress()
        let cells = [String(epoch), format(trainLoss), format(validLoss)] + metrics.map(format) + [formatDuration(seconds)]
        console.writeLine(padded(cells))
    }

    /// Six decimals, as fastai prints.
    private func format(_ value: Float) -> String {
        guard value.isFinite else { return String(value) }
        return formatFixed(Double(value), decimals: 6)
    }
}

/// `mm:ss.mmm`: fastai's `mm:ss`, with milliseconds because epochs here take well under a second.
func formatDuration(_ seconds: Double) -> String {
    let milliseconds = Int((seconds * 1000).rounded())
    let minutes = milliseconds / 60_000
    let rest = milliseconds % 60_000
    return digits(minutes, 2) + ":" + digits(rest / 1000, 2) + "." + digits(rest % 1000, 3)
}

/// `value` with leading zeros up to `width` digits.
private func digits(_ value: Int, _ width: Int) -> String {
    let text = String(value)
    return String(repeating: "0", count: max(width - text.count, 0)) + text
}

/// `value` with exactly `decimals` digits after the point, without Foundation.
public func formatFixed(_ value: Double, decimals: Int) -> String {
    guard value.isFinite else { return String(value) }
    var scale = 1.0
    for _ in 0..<decimals { scale *= 10 }
    let scaled = (abs(value) * scale).rounded()
    let whole = Int(scaled / scale)
    let fraction = Int(scaled - Double(whole) * scale)
    var digits = String(fraction)
    digits = String(repeating: "0", count: max(decimals - digits.count, 0)) + digits
    let sign = value < 0 && scaled != 0 ? "-" : ""
    return decimals > 0 ? "\(sign)\(whole).\(digits)" : "\(sign)\(whole)"
}
