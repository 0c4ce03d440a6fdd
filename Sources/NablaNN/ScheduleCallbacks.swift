import Foundation
import Nabla

/// Sets the learning rate and momentum before every training batch from a
/// one-cycle policy, as fastai's `ParamScheduler` under `fit_one_cycle`. The
/// position is the fraction of the fit's training batches done before this one.
public final class OneCycleScheduler: Callback {
    public let cycle: OneCycle

    public init(_ cycle: OneCycle) { self.cycle = cycle }

    public func beforeBatch(_ learner: Learner) {
        guard learner.isTraining else { return }
        let perEpoch = max(learner.dls.train.batchCount, 1)
        let position = Double(learner.epoch * perEpoch + learner.batchIndex) / Double(max(learner.epochCount * perEpoch, 1))
        learner.learningRate = cycle.learningRate(at: min(position, 1))
        if let optimizer = learner.optimizer as? any MomentumOptimizer {
            optimizer.momentum = cycle.momentum(at: min(position, 1))
        }
    }
}

/// fastai's `LRFinder`: trains on batch after batch with a learning rate
/// growing exponentially from `start` to `end` over `iterations` batches,
/// recording each batch's smoothed loss, and stops early once that loss passes
/// four times its minimum. Afterwards the model's parameters and buffers are put
/// back as they were and the optimizer it trained with is dropped;
/// ``Learner/lrFind(start:end:iterations:)`` also puts back the optimizer and the recorder.
public final class LearningRateFinder: Callback {
    public let start: Float, end: Float, iterations: Int
    public private(set) var learningRates: [Float] = []
    public private(set) var smoothedLosses: [Float] = []
    private var average = 0.0, best = Float.infinity
    private var saved = StateDict()

    public init(start: Float = 1e-7, end: Float = 10, iterations: Int = 200) {
        guard start > 0, end > start, iterations >= 2 else {
            Nabla.fail("lrFind: needs 0 < start (\(start)) < end (\(end)) and at least 2 iterations (\(iterations))")
        }
        self.start = start
        self.end = end
        self.iterations = iterations
    }

    public func beforeFit(_ learner: Learner) {
        saved = learner.model.stateDict()
    }

    public func beforeBatch(_ learner: Learner) {
        guard learner.isTraining else { return }
        learner.learningRate = Schedule.exponential(from: start, to: end, at: Double(learningRates.count) / Double(iterations - 1))
    }

    public func afterBatch(_ learner: Learner) {
        guard learner.isTraining else { return }
        learningRates.append(learner.learningRate)
        // fastai's AvgSmoothLoss: an exponential moving average (β = 0.98), debiased.
        average = 0.98 * average + 0.02 * Double(learner.batchLoss)
        let smoothed = Float(average / (1 - pow(0.98, Double(smoothedLosses.count + 1))))
        smoothedLosses.append(smoothed)
        best = min(best, smoothed)
        if smoothed > 4 * best || !smoothed.isFinite {
            learner.requestStop("lr_find: stopped after \(learningRates.count) batches, the loss diverged")
        } else if learningRates.count >= iterations {
            learner.requestStop("lr_find: tried \(iterations) learning rates")
        }
    }

    public func afterFit(_ learner: Learner) throws {
        try learner.model.loadStateDict(saved)
        saved = StateDict()
        learner.resetOptimizer()
    }

    /// What was measured, with fastai's suggestions.
    public var finding: LearningRateFinding { LearningRateFinding(learningRates: learningRates, losses: smoothedLosses) }
}

extension Learner {
    /// fastai's `fit_one_cycle`: `epochs` epochs under ``OneCycle`` with peak `maxLearningRate`.
    @discardableResult
    public func fitOneCycle(_ epochs: Int, maxLearningRate: Float, callbacks: [any Callback] = []) throws -> FitResult {
        try fit(epochs, lr: maxLearningRate / 25, callbacks: [OneCycleScheduler(OneCycle(maxLearningRate: maxLearningRate))] + callbacks)
    }

    /// fastai's `lr_find`: the loss over exponentially growing learning rates, and
    /// the suggestions (`valley`, and the minimum's tenth) printed. As fastai's, it leaves
    /// the learner as it found it: the model's parameters and buffers, the optimizer
    /// (the same one, with its state, or none if none was made yet) and the recorder
    /// (the finder's batches are in the returned finding, not in `recorder`).
    @discardableResult
    public func lrFind(start: Float = 1e-7, end: Float = 10, iterations: Int = 200) throws -> LearningRateFinding {
        let finder = LearningRateFinder(start: start, end: end, iterations: iterations)
        let epochs = (iterations + dls.train.batchCount - 1) / max(dls.train.batchCount, 1)
        try restoringOptimizerAndRecorder { _ = try fit(max(epochs, 1), lr: start, callbacks: [finder]) }
        let finding = finder.finding
        let valley = finding.valley(plannedBatches: iterations), minimum = finding.minimumOverTen(plannedBatches: iterations)
        console.writeLine("lr_find: \(finding.learningRates.count) batches; suggested learning rates: valley \(valley.map { "\($0)" } ?? "none"), minimum/10 \(minimum.map { "\($0)" } ?? "none")")
        return finding
    }
}
