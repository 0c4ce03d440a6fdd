import Foundation

/// A linear map from a data interval onto a pixel interval, and the ticks of the interval.
struct Axis {
    let lower: Double
    let upper: Double

    /// An axis over `limits` when given; otherwise over the finite `values` with matplotlib's 5% margins
    /// (a single value gets ±1 around it, no values 0...1). Either way the interval is made
    /// non-singular as matplotlib does: a range too narrow to divide (a constant, [0, 5e−324])
    /// is widened as a constant, and margins never pass the largest finite Double.
    init(limits: ClosedRange<Double>?, values: [Double]) {
        if let limits, limits.upperBound > limits.lowerBound, limits.lowerBound.isFinite, limits.upperBound.isFinite {
            (lower, upper) = Axis.nonsingular(limits.lowerBound, limits.upperBound)
            return
        }
        let finite = values.filter(\.isFinite)
        guard let low = finite.min(), let high = finite.max() else { (lower, upper) = (0, 1); return }
        // Halves, so that the margin of y from −1e308 to 1e308 does not overflow.
        let margin = (high / 2 - low / 2) * 0.1
        (lower, upper) = Axis.nonsingular(low - margin, high + margin)
    }

    /// `low...high` clipped to finite Doubles, or, when the two are too close for
    /// ticks and pixels to tell apart (matplotlib's `nonsingular`: within 1e−15 of
    /// their magnitude, or both below 1e−290), a constant's range around `low`:
    /// ±1 around 0, else ±half its magnitude.
    static func nonsingular(_ low: Double, _ high: Double) -> (Double, Double) {
        let largest = Double.greatestFiniteMagnitude
        let (low, high) = (max(low, -largest), min(high, largest))
        let magnitude = max(abs(low), abs(high))
        guard high / 2 - low / 2 <= magnitude * 0.5e-15 || magnitude < 1e-290 else { return (low, high) }
        if abs(low) < 1e-290 { return (-1, 1) }
        let half = abs(low) * 0.5
        return (low - half, low + half)
    }

    init(lower: Double, upper: Double) { self.lower = lower; self.upper = upper }

    /// Where `value` falls between `start` (at `lower`) and `end` (at `upper`).
    func map(_ value: Double, from start: Double, to end: Double) -> Double {
        // Halves: exact, and no overflow for an axis wider than the largest Double.
        start + (value / 2 - lower / 2) / (upper / 2 - lower / 2) * (end - start)
    }

    /// The step between ticks: 1, 2 or 5 times a power of ten, giving about `count` ticks.
    func tickStep(about count: Int) -> Double {
        let raw = (upper / 2 - lower / 2) / Double(max(count, 1)) * 2
        let magnitude = pow(10, (log10(raw)).rounded(.down))
        let fraction = raw / magnitude
        let nice: Double = fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10
        return nice * magnitude
    }

    /// The ticks inside the axis, at multiples of `tickStep(about:)`.
    func ticks(about count: Int = 5) -> [Double] {
        let step = tickStep(about: count)
        guard step.isFinite, step > 0 else { return [] }
        let first = (lower / step).rounded(.up)
        let last = (upper / step).rounded(.down)
        guard first <= last else { return [] }
        return stride(from: first, through: last, by: 1).map { $0 * step }
    }

    /// Tick labels with as many decimals as the step needs ("0.5", "10", "-2").
    /// Beyond 1e15, or for steps below 1e−15, scientific ("1e+308"), as matplotlib
    /// switches to an offset: a fixed-point label would be wider than the figure.
    func tickLabels(_ ticks: [Double], about count: Int = 5) -> [String] {
        let step = tickStep(about: count)
        guard step.isFinite, step > 0 else { return ticks.map { String(format: "%g", $0) } }
        let largest = ticks.map(abs).max() ?? 0
        guard largest < 1e15, step >= 1e-15 else {
            // Enough significant digits to tell neighbouring ticks apart.
            let digits = max(0, Int((log10(max(largest, step)) - log10(step)).rounded(.down)))
            return ticks.map { String(format: "%.\(min(digits, 16))e", $0) }
        }
        let decimals = max(0, Int(-(log10(step)).rounded(.down)))
        return ticks.map { formatNumber($0, decimals: decimals) }
    }
}

/// `value` with `decimals` decimals, never "-0".
func formatNumber(_ value: Double, decimals: Int) -> String {
    let text = String(format: "%.\(decimals)f", value)
    return Double(text) == 0 ? String(format: "%.\(decimals)f", 0.0) : text
}
