#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Prints fastai's training table, one row per epoch:
///
///     epoch  train_loss  valid_loss  accuracy  time
///     0      0.636857    0.503549    0.495584  00:00.04
///
/// and, on a terminal, a progress bar over the current pass's batches that the
/// next row overwrites, with fastai's percentage, rate and time left:
///
///     |█████████████·················|  45% 12/26 train batches, 850.2 batches/s, 00:00.016 left
///
/// The learner installs one on its console for every fit.
public final class ProgressTable: Callback {
    let console: Console
    private var columns: [String] = []
    private let showsProgress: Bool
    private var lastDraw = 0.0
    private var passStart = 0.0
    private var progressDrawn = false

    public init(console: Console) {
        self.console = console
        showsProgress = console.isTerminal
    }

    public var order: Int { -10 }

    private func width(_ column: String) -> Int { max(column.count, 9) + 2 }

    private func padded(_ cells: [String]) -> String {
        zip(columns, cells).map { column, cell in
            cell + String(repeating: " ", count: max(width(column) - cell.count, 1))
        }.joined()
    }

    public func beforeFit(_ learner: Learner) {
        if learner.dls.valid.batchCount == 0 { console.writeLine("The validation set is empty: no validation loss or metrics.") }
        columns = ["epoch"] + learner.recorder.names + ["time"]
        console.writeLine(padded(columns))
    }

    public func beforeEpoch(_ learner: Learner) { passStart = monotonicSeconds() }
    public func beforeValidate(_ learner: Learner) { passStart = monotonicSeconds() }

    /// Redraws the bar, at most every 50 ms (and always for the last batch).
    public func afterBatch(_ learner: Learner) {
        guard showsProgress else { return }
        let total = learner.isTraining ? learner.dls.train.batchCount : learner.dls.valid.batchCount
        let done = learner.batchIndex + 1
        let now = monotonicSeconds()
        guard done == total || now - lastDraw >= 0.05 else { return }
        lastDraw = now
        console.write("\r\u{1B}[2K" + progressLine(done: done, total: total, seconds: now - passStart,
                                                      phase: learner.isTraining ? "train" : "valid"))
        progressDrawn = true
    }

    public func afterEpoch(_ learner: Learner) {
        guard let record = learner.recorder.epochs.last else { return }
        clearProgress()
        // An empty validation set has no loss or metrics: fastai prints None.
        let noValidation = learner.dls.valid.batchCount == 0 && record.validLoss.isNaN
        let validation = ([record.validLoss] + record.metrics).map { noValidation ? "None" : format($0) }
        let cells = [String(record.epoch), format(record.trainLoss)] + validation + [formatDuration(record.seconds)]
        console.writeLine(padded(cells))
    }

    public func afterFit(_ learner: Learner) { clearProgress() }

    /// Erases the progress bar, if one is drawn, so that the next line starts clean.
    private func clearProgress() {
        if progressDrawn { console.write("\r\u{1B}[2K"); progressDrawn = false }
    }

    /// Six decimals, as fastai prints (scientific notation for huge losses).
    private func format(_ value: Float) -> String { formatFixed(Double(value), decimals: 6) }
}

/// One state of the progress bar: `done` of `total` batches after `seconds`.
func progressLine(done: Int, total: Int, seconds: Double, phase: String) -> String {
    let barWidth = 30
    let fraction = total > 0 ? min(Double(done) / Double(total), 1) : 1
    let filled = Int(Double(barWidth) * fraction)
    let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: barWidth - filled)
    let percent = String(Int((fraction * 100).rounded(.down)))
    var line = "|\(bar)| " + String(repeating: " ", count: 3 - percent.count) + percent + "% \(done)/\(total) \(phase) batches"
    if seconds > 0, done > 0 {
        let rate = Double(done) / seconds
        line += ", " + formatFixed(rate, decimals: 1) + " batches/s, " + formatDuration(Double(total - done) / rate) + " left"
    }
    return line
}

/// `mm:ss.mmm`: fastai's `mm:ss`, with milliseconds because epochs here take well under a second.
/// A duration too long (or not finite) to print that way is given in seconds by ``formatFixed(_:decimals:)``.
func formatDuration(_ seconds: Double) -> String {
    guard seconds.isFinite, abs(seconds) < 1e9 else { return formatFixed(seconds, decimals: 0) + " s" }
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
///
/// Any `Double` prints: `nan`, `inf` and `-inf` as such, and magnitudes of 1e15
/// and more, whose digits a fixed layout would only pad, in scientific notation
/// with `decimals` digits after the point (`1.000000e+30`).
public func formatFixed(_ value: Double, decimals: Int) -> String {
    guard value.isFinite else { return String(value) }
    let decimals = min(max(decimals, 0), 17)
    var scale = 1.0
    for _ in 0..<decimals { scale *= 10 }
    let scaled = (abs(value) * scale).rounded()
    guard abs(value) < 1e15, scaled < 0x1p62 else { return formatScientific(value, decimals: decimals) }
    let whole = Int(scaled / scale)
    let fraction = Int(scaled - Double(whole) * scale)
    var digits = String(fraction)
    digits = String(repeating: "0", count: max(decimals - digits.count, 0)) + digits
    let sign = value < 0 && scaled != 0 ? "-" : ""
    return decimals > 0 ? "\(sign)\(whole).\(digits)" : "\(sign)\(whole)"
}

/// A finite `value` as `d.ddde±xx`, with `decimals` digits after the point.
private func formatScientific(_ value: Double, decimals: Int) -> String {
    var exponent = Int(log10(abs(value)).rounded(.down))
    var mantissa = value / pow(10, Double(exponent))
    // Rounding may carry the mantissa to 10 (9.9999995 → 10.000000): renormalise.
    var text = formatFixed(mantissa, decimals: decimals)
    if abs((Double(text) ?? mantissa)) >= 10 {
        exponent += 1
        mantissa /= 10
        text = formatFixed(mantissa, decimals: decimals)
    }
    return text + (exponent < 0 ? "e-" : "e+") + digits(abs(exponent), 2)
}
