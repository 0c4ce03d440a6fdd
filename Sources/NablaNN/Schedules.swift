import Foundation

/// fastai's hyperparameter schedules (`fastai.callback.schedule`): functions of
/// the training position, 0 at the first batch and 1 at the end of training.
public enum Schedule {
    /// `SchedCos`: from `start` to `end` along half a cosine, flat at both ends.
    public static func cosine(from start: Float, to end: Float, at position: Double) -> Float {
        // In Double, as fastai's Python floats: the last steps of a one-cycle are 10⁵ times smaller than its peak.
        Float(Double(start) + (1 + cos(Double.pi * (1 - position))) / 2 * (Double(end) - Double(start)))
    }

    /// `combined_cos`: a cosine from `start` to `middle` over the first `split` of
    /// training, then another from `middle` to `end`.
    public static func combinedCosine(split: Double, _ start: Float, _ middle: Float, _ end: Float, at position: Double) -> Float {
        position < split
            ? cosine(from: start, to: middle, at: position / split)
            : cosine(from: middle, to: end, at: (position - split) / (1 - split))
    }

    /// `SchedExp`: from `start` to `end` geometrically, as the learning-rate finder sweeps.
    public static func exponential(from start: Float, to end: Float, at position: Double) -> Float {
        Float(Double(start) * pow(Double(end) / Double(start), position))
    }
}

/// fastai's one-cycle policy (`fit_one_cycle`): the learning rate warms up from
/// `maxLearningRate / divisor` to `maxLearningRate` over the first
/// `warmUpFraction` of the batches and anneals to `maxLearningRate / finalDivisor`,
/// both along cosines, while the momentum goes the other way, 0.95 → 0.85 → 0.95.
public struct OneCycle: Sendable {
    public var maxLearningRate: Float
    public var divisor: Float = 25
    public var finalDivisor: Float = 1e5
    public var warmUpFraction: Double = 0.25
    public var momenta: (Float, Float, Float) = (0.95, 0.85, 0.95)

    public init(maxLearningRate: Float, divisor: Float = 25, finalDivisor: Float = 1e5, warmUpFraction: Double = 0.25,
                momenta: (Float, Float, Float) = (0.95, 0.85, 0.95)) {
        self.maxLearningRate = maxLearningRate
        self.divisor = divisor
        self.finalDivisor = finalDivisor
        self.warmUpFraction = warmUpFraction
        self.momenta = momenta
    }

    public func learningRate(at position: Double) -> Float {
        Schedule.combinedCosine(split: warmUpFraction, maxLearningRate / divisor, maxLearningRate, maxLearningRate / finalDivisor, at: position)
    }

    public func momentum(at position: Double) -> Float {
        Schedule.combinedCosine(split: warmUpFraction, momenta.0, momenta.1, momenta.2, at: position)
    }
}

/// What the learning-rate finder measured, and fastai's suggestions from it.
public struct LearningRateFinding: Sendable {
    /// The learning rate of each batch tried.
    public let learningRates: [Float]
    /// The loss of each batch, smoothed as fastai's recorder smooths it
    /// (an exponential moving average with β = 0.98, debiased).
    public let losses: [Float]

    public init(learningRates: [Float], losses: [Float]) {
        self.learningRates = learningRates
        self.losses = losses
    }

    /// The part fastai's suggestions look at: without the first tenth of the
    /// planned batches and the last five.
    private func trimmed(plannedBatches: Int) -> (learningRates: [Float], losses: [Float]) {
        let start = min(plannedBatches / 10, learningRates.count)
        let end = max(start, learningRates.count - 5)
        return (Array(learningRates[start..<end]), Array(losses[start..<end]))
    }

    /// fastai's default suggestion, `valley`: the learning rate halfway along the
    /// longest run of decreasing loss, in its steep middle.
    public func valley(plannedBatches: Int) -> Float? {
        let (rates, losses) = trimmed(plannedBatches: plannedBatches)
        guard !losses.isEmpty else { return nil }
        let n = losses.count
        var runLength = [Int](repeating: 1, count: n)
        var bestStart = 0, bestEnd = 0
        for i in 1..<max(n, 1) {
            for j in 0..<i where losses[i] < losses[j] && runLength[i] < runLength[j] + 1 {
                runLength[i] = runLength[j] + 1
            }
            if runLength[bestEnd] < runLength[i] {
                bestEnd = i
                bestStart = bestEnd - runLength[bestEnd]
            }
        }
        let sections = Double(bestEnd - bestStart) / 3
        let index = min(max(bestStart + Int(sections) + Int(sections / 2), 0), n - 1)
        return rates[index]
    }

    /// fastai's `minimum` suggestion: a tenth of the learning rate with the lowest loss.
    public func minimumOverTen(plannedBatches: Int) -> Float? {
        let (rates, losses) = trimmed(plannedBatches: plannedBatches)
        guard let best = losses.indices.min(by: { losses[$0] < losses[$1] }) else { return nil }
        return rates[best] / 10
    }
}
