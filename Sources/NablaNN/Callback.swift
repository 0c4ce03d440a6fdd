import Nabla

/// Code that runs at fixed points of ``Learner/fit(_:lr:callbacks:)``, as fastai's
/// `Callback`: early stopping, learning-rate schedules, logging, the progress
/// table, gradient all-reduce for data-parallel training are all callbacks.
///
/// Every hook has an empty default, so a callback implements only those it needs.
/// A hook reads and changes the learner's state: ``Learner/learningRate`` (a
/// schedule), ``Learner/input`` and ``Learner/target`` in `beforeBatch` (a
/// transform or a shard), the gradients in `afterBackward` (clipping, all-reduce),
/// ``Learner/recorder`` (what happened so far). To end training, a hook calls
/// ``Learner/requestStop(_:)``: the learner stops after the current batch (and
/// then skips that epoch's validation) or, when called in `afterEpoch`, before
/// the next epoch. A hook that throws ends `fit` with that error.
///
/// The order of one `fit`:
///
///     beforeFit
///     for each epoch:
///         beforeEpoch
///         for each training batch:    (learner.isTraining == true)
///             beforeBatch → forward, loss → afterLoss → backward → afterBackward
///             → optimizer step, zero grad → afterBatch
///         beforeValidate
///         for each validation batch:  (learner.isTraining == false, under noGrad)
///             beforeBatch → forward, loss, metrics → afterBatch
///         (the epoch's row is added to learner.recorder)
///         afterEpoch
///     afterFit                         (also when fit throws)
///
/// Callbacks run in ascending ``order`` (then in the order given); the learner's
/// own ``ProgressTable`` has order −10, so it prints before user callbacks.
public protocol Callback: AnyObject {
    /// Where this callback runs among the others: lower first. Default 0.
    var order: Int { get }
    func beforeFit(_ learner: Learner) throws
    func beforeEpoch(_ learner: Learner) throws
    func beforeBatch(_ learner: Learner) throws
    /// After the loss of a training batch is computed, before backward.
    func afterLoss(_ learner: Learner) throws
    /// After backward, before the optimizer's step: where gradients can be changed.
    func afterBackward(_ learner: Learner) throws
    func afterBatch(_ learner: Learner) throws
    func beforeValidate(_ learner: Learner) throws
    func afterEpoch(_ learner: Learner) throws
    func afterFit(_ learner: Learner) throws
}

extension Callback {
    public var order: Int { 0 }
    public func beforeFit(_ learner: Learner) throws {}
    public func beforeEpoch(_ learner: Learner) throws {}
    public func beforeBatch(_ learner: Learner) throws {}
    public func afterLoss(_ learner: Learner) throws {}
    public func afterBackward(_ learner: Learner) throws {}
    public func afterBatch(_ learner: Learner) throws {}
    public func beforeValidate(_ learner: Learner) throws {}
    public func afterEpoch(_ learner: Learner) throws {}
    public func afterFit(_ learner: Learner) throws {}
}

/// Stops training when the validation loss has not improved by more than
/// `minDelta` for `patience` epochs in a row, as fastai's `EarlyStoppingCallback`.
public final class EarlyStopping: Callback {
    public let patience: Int
    public let minDelta: Float
    private var best = Float.infinity
    private var epochsWithoutImprovement = 0

    public init(patience: Int, minDelta: Float = 0) {
        guard patience >= 1 else { Nabla.fail("EarlyStopping: patience must be at least 1, got \(patience)") }
        self.patience = patience
        self.minDelta = minDelta
    }

    public func beforeFit(_ learner: Learner) throws {
        best = .infinity
        epochsWithoutImprovement = 0
    }

    public func afterEpoch(_ learner: Learner) throws {
        guard let validLoss = learner.recorder.epochs.last?.validLoss else { return }
        if validLoss < best - minDelta {
            best = validLoss
            epochsWithoutImprovement = 0
            return
        }
        epochsWithoutImprovement += 1
        if epochsWithoutImprovement >= patience, learner.epoch + 1 < learner.epochCount {
            learner.requestStop("stopping early: valid_loss has not improved on \(formatFixed(Double(best), decimals: 6)) for \(epochsWithoutImprovement) epochs")
        }
    }
}

/// Warns, once per fit, when the training loss has grown for `epochs` epochs in a
/// row: the sign of a learning rate too high for the model and data. Training goes on.
public final class DivergenceWarning: Callback {
    public let epochs: Int
    private var warned = false

    public init(epochs: Int = 3) {
        guard epochs >= 1 else { Nabla.fail("DivergenceWarning: epochs must be at least 1, got \(epochs)") }
        self.epochs = epochs
    }

    public var order: Int { 10 }

    public func beforeFit(_ learner: Learner) throws { warned = false }

    public func afterEpoch(_ learner: Learner) throws {
        let losses = learner.recorder.epochs.suffix(epochs + 1).map(\.trainLoss)
        guard !warned, losses.count == epochs + 1, zip(losses, losses.dropFirst()).allSatisfy({ $0 < $1 }) else { return }
        warned = true
        learner.console.writeLine("warning: the training loss has grown for \(epochs) epochs in a row (\(formatFixed(Double(losses[0]), decimals: 6)) → \(formatFixed(Double(losses[epochs]), decimals: 6))); the learning rate \(learner.learningRate) is probably too high")
    }
}

/// Warns (through `Nabla.warn`, to standard error) when the training loss does not
/// fall during the first epoch of a fit: the mean loss of the epoch's last quarter of
/// batches is above `threshold` times that of its second quarter. A learning rate far
/// too high saturates the outputs (the gradients vanish and the loss stays at a
/// plateau, often at chance level); one far too low does not move the weights.
/// Needs at least 8 batches in the epoch; training goes on.
public final class PlateauWarning: Callback {
    public let threshold: Float
    private var firstBatch = 0, checked = false

    public init(threshold: Float = 0.97) {
        guard threshold > 0 else { Nabla.fail("PlateauWarning: threshold must be positive, got \(threshold)") }
        self.threshold = threshold
    }

    public var order: Int { 10 }

    public func beforeFit(_ learner: Learner) throws {
        firstBatch = learner.recorder.losses.count
        checked = false
    }

    public func afterEpoch(_ learner: Learner) throws {
        guard !checked else { return }
        checked = true
        let losses = learner.recorder.losses[firstBatch...].map(Double.init)
        let quarter = losses.count / 4
        guard quarter >= 2 else { return }
        func mean(_ slice: ArraySlice<Double>) -> Double { slice.reduce(0, +) / Double(slice.count) }
        let early = mean(losses.dropFirst(quarter).prefix(quarter)), late = mean(losses.suffix(quarter))
        guard late > Double(threshold) * early else { return }
        let peak = learner.recorder.learningRates[firstBatch...].max() ?? learner.learningRate
        Nabla.warn("the training loss did not fall during the first epoch (\(formatFixed(early, decimals: 6)) in its second quarter, "
                   + "\(formatFixed(late, decimals: 6)) in its last): the learning rate \(peak) is probably far too high "
                   + "(the outputs saturate and the gradients vanish) or far too low", site: "PlateauWarning")
    }
}
