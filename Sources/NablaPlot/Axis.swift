import Foundation

/// A linear map from a data interval onto a pixel interval, and the ticks of the interval.
struct Axis {
    let lower: Double
    let upper: Double

    /// An axis over `limits` when given; otherwise over the finite `values` with matplotlib's 5% margins
    /// (a single value gets ±1 around it, no values 0...1).
    init(limits: ClosedRange<Double>?, values: [Double]) {
        if let limits, limits.upperBound > limits.lowerBound {
            (lower, upper) = (limits.lowerBound, limits.upperBound)
            return
        }
        let finite = values.filter(\.isFinite)
        guard let low = finite.min(), let high = finite.max() else { (lower, upper) = (0, 1); return }
        if high > low {
            let margin = (high - low) * 0.05
            (lower, upper) = (low - margin, high + margin)
        } else {
            let half = low == 0 ? 1 : abs(low) * 0.5
            (lower, upper) = (low - half, high + half)
        }
    }

    init(lower: Double, upper: Double) { self.lower = lower; self.upper = upper }

    /// Where `value` falls between `start` (at `lower`) and `end` (at `upper`).
    func map(_ value: Double, from start: Double, to end: Double) -> Double {
        start + (value - lower) / (upper - lower) * (end - start)
    }

    /// The step between ticks: 1, 2 or 5 times a power of ten, giving about `count` ticks.
    func tickStep(about count: Int) -> Double {
        let raw = (upper - lower) / Double(max(count, 1))
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
    func tickLabels(_ ticks: [Double], about count: Int = 5) -> [String] {
        let step = tickStep(about: count)
        let decimals = max(0, Int(-(log10(step)).rounded(.down)))
        return ticks.map { formatNumber($0, decimals: decimals) }
    }
}

/// `value` with `decimals` decimals, never "-0".
func formatNumber(_ value: Double, decimals: Int) -> String {
    let text = String(format: "%.\(decimals)f", value)
    return Double(text) == 0 ? String(format: "%.\(decimals)f", 0.0) : text
}
