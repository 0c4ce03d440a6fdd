import Nabla
import NablaData

/// Batches of `(input, target)` for one pass over a data set.
///
/// The learner asks for a fresh pass every epoch, so a shuffling loader
/// reshuffles there.
public struct BatchSource {
    /// The number of batches in one pass, for the progress bar.
    public let batchCount: Int
    private let makePass: () -> AnyIterator<(Tensor, Tensor)>

    /// A source that calls `makePass` at the start of every epoch.
    public init(batchCount: Int, makePass: @escaping () -> AnyIterator<(Tensor, Tensor)>) {
        self.batchCount = batchCount
        self.makePass = makePass
    }

    /// A source that iterates `batches` anew every epoch; `batchCount` defaults to
    /// the sequence's `underestimatedCount` (exact for arrays).
    public init<S: Sequence>(_ batches: S, batchCount: Int? = nil) where S.Element == (Tensor, Tensor) {
        self.init(batchCount: batchCount ?? batches.underestimatedCount) { AnyIterator(batches.makeIterator()) }
    }

    /// A source over a sequence of `(inputs:, targets:)` batches.
    public init<S: Sequence>(_ batches: S, batchCount: Int? = nil) where S.Element == (inputs: Tensor, targets: Tensor) {
        self.init(batchCount: batchCount ?? batches.underestimatedCount) {
            var iterator = batches.makeIterator()
            return AnyIterator { iterator.next().map { ($0.inputs, $0.targets) } }
        }
    }

    /// A source over a `DataLoader`, which knows its batch count and starts its
    /// next epoch, reshuffled, each time it is iterated.
    public init(_ loader: DataLoader) {
        self.init(loader, batchCount: loader.batchCount)
    }

    func pass() -> AnyIterator<(Tensor, Tensor)> { makePass() }
}

/// The training and the validation batches, as fastai's `DataLoaders(dl, valid_dl)`.
public struct DataLoaders {
    public let train: BatchSource
    public let valid: BatchSource

    public init(_ train: BatchSource, _ valid: BatchSource) {
        self.train = train
        self.valid = valid
    }

    public init(_ train: DataLoader, _ valid: DataLoader) {
        self.init(BatchSource(train), BatchSource(valid))
    }
}

/// Why training stopped before its last epoch.
public enum TrainingError: Error, CustomStringConvertible {
    /// The training loss became NaN or infinite.
    case nonFiniteLoss(epoch: Int, batch: Int, loss: Float, learningRate: Float)
    /// The training set gave no batch in an epoch: it is empty, or `dropLast` dropped
    /// its only, partial batch. (An empty validation set gives NaN, shown as None.)
    case noTrainingBatches(epoch: Int)

    public var description: String {
        switch self {
        case let .noTrainingBatches(epoch):
            return "training stopped: the training set gave no batch at epoch \(epoch), so there is nothing to train on; "
                + "check that it is not empty (and that dropLast does not drop its only, partial batch)"
        case let .nonFiniteLoss(epoch, batch, loss, learningRate):
            return "training stopped: the loss became \(loss) at epoch \(epoch), batch \(batch); "
                + "the learning rate \(learningRate) is probably too high for this model and data"
        }
    }
}

/// One row of the training table.
public struct EpochRecord {
    public let epoch: Int
    /// The mean training loss over the epoch's batches, weighted by batch size.
    public let trainLoss: Float
    /// The mean validation loss, weighted by batch size; NaN when the validation set is empty.
    public let validLoss: Float
    /// Each metric's mean over the validation set, in the learner's metric order; NaN when it is empty.
    public let metrics: [Float]
    /// Wall time of the epoch, validation included.
    public let seconds: Double
}

/// What training did, as fastai's `learn.recorder`: kept across fits.
public final class Recorder {
    /// The loss of every training batch, in order.
    public internal(set) var losses: [Float] = []
    /// The learning rate of every training batch's step, in order (a schedule shows here).
    public internal(set) var learningRates: [Float] = []
    /// One row per finished epoch.
    public internal(set) var epochs: [EpochRecord] = []
    /// The column names of ``values``: `train_loss`, `valid_loss`, then the metrics.
    public let names: [String]

    init(metricNames: [String]) { names = ["train_loss", "valid_loss"] + metricNames }

    /// Replaces the losses and metrics of the last epoch's row, for a callback that
    /// combines them in `afterEpoch` before the table shows them (data-parallel
    /// training averages them over the ranks).
    public func reviseLastEpoch(trainLoss: Float, validLoss: Float, metrics: [Float]) {
        guard let last = epochs.popLast() else { Nabla.fail("Recorder.reviseLastEpoch: no epoch has finished yet") }
        guard metrics.count == last.metrics.count else {
            Nabla.fail("Recorder.reviseLastEpoch: \(metrics.count) metrics given for a row of \(last.metrics.count)")
        }
        epochs.append(EpochRecord(epoch: last.epoch, trainLoss: trainLoss, validLoss: validLoss, metrics: metrics, seconds: last.seconds))
    }

    /// Per epoch, the train loss, the valid loss and the metrics, as fastai's `recorder.values`.
    public var values: [[Float]] { epochs.map { [$0.trainLoss, $0.validLoss] + $0.metrics } }
}

/// What `fit` did.
public struct FitResult {
    public let epochs: [EpochRecord]
    /// True when a callback (such as ``EarlyStopping``) ended training before the requested epochs.
    public let stoppedEarly: Bool
    /// Total wall time of all epochs.
    public var seconds: Double { epochs.reduce(0) { $0 + $1.seconds } }
}

/// Makes the optimizer for the model's parameters and the learning rate of the first fit.
public typealias OptimizerFactory = (_ parameters: [Parameter], _ learningRate: Float) -> any Optimizer

/// Trains a model, as fastai's `Learner`:
///
///     let dls = DataLoaders(DataLoader(dset, batchSize: 256, shuffle: true), DataLoader(validDset, batchSize: 256))
///     let learn = Learner(dls, Linear(inputs: 784, outputs: 1), optimizer: SGD.self, loss: mnistLoss, metrics: [batchAccuracy])
///     try learn.fit(10, lr: 1)
///
/// Each epoch is one pass over the training batches (forward, loss, backward,
/// optimizer step, zero grad), then one pass over the validation batches without
/// gradients, then a row in ``recorder`` and in the printed table. Everything
/// else (the table itself, early stopping, schedules) is a ``Callback``.
public final class Learner {
    public let dls: DataLoaders
    public let model: any Module
    public let loss: (_ prediction: Tensor, _ target: Tensor) -> Tensor
    public let metrics: [Metric]
    /// The callbacks of every fit, besides those given to one `fit`.
    public var callbacks: [any Callback]
    /// Where the table, the progress bar and the callbacks' messages go.
    public let console: Console
    /// The losses, learning rates and epoch rows of every fit so far.
    public let recorder: Recorder

    private let makeOptimizer: OptimizerFactory
    private var createdOptimizer: (any Optimizer)?

    // The state callbacks read (and may change), as fastai's learner attributes.

    /// The epoch running now, from 0.
    public private(set) var epoch = 0
    /// The number of epochs of the current fit.
    public private(set) var epochCount = 0
    /// The batch running now within its pass, from 0.
    public private(set) var batchIndex = 0
    /// Whether the current batch is a training batch (false in validation).
    public private(set) var isTraining = false
    /// The fraction of the current fit's training batches done, in [0, 1] (fastai's `pct_train`).
    public private(set) var trainingProgress = 0.0
    /// The current batch's inputs and targets; `beforeBatch` may replace them.
    public var input = Tensor(0), target = Tensor(0)
    /// The model's output on the current batch.
    public private(set) var prediction = Tensor(0)
    /// The current batch's loss.
    public private(set) var batchLoss: Float = .nan
    /// Why a callback asked to stop, once it did.
    public private(set) var stopReason: String?

    /// - Parameters:
    ///   - dls: The training and validation batches.
    ///   - model: The module to train.
    ///   - optimizer: The optimizer type (`SGD.self`), made at the first `fit` with its learning rate.
    ///   - loss: The loss of a batch's prediction and target.
    ///   - metrics: Measured on the validation set each epoch: ``Metric`` values such as ``batchAccuracy``.
    ///   - callbacks: Run at every fit.
    ///   - console: Where the table goes (`.silent` for none).
    public convenience init(_ dls: DataLoaders, _ model: any Module, optimizer: any Optimizer.Type = SGD.self,
                            loss: @escaping (_ prediction: Tensor, _ target: Tensor) -> Tensor,
                            metrics: [Metric] = [], callbacks: [any Callback] = [], console: Console = .standardOutput) {
        self.init(dls, model, optimizer: { optimizer.init($0, learningRate: $1) }, loss: loss,
                  metrics: metrics, callbacks: callbacks, console: console)
    }

    /// A learner whose metrics are plain functions, shown as `metric`, `metric_2`, …
    /// (Disfavoured, so that `metrics: []` means the initialiser above instead of being ambiguous.)
    @_disfavoredOverload
    public convenience init(_ dls: DataLoaders, _ model: any Module, optimizer: any Optimizer.Type = SGD.self,
                            loss: @escaping (_ prediction: Tensor, _ target: Tensor) -> Tensor,
                            metrics: [(_ prediction: Tensor, _ target: Tensor) -> Float],
                            callbacks: [any Callback] = [], console: Console = .standardOutput) {
        let named = metrics.enumerated().map { Metric(name: $0.offset == 0 ? "metric" : "metric_\($0.offset + 1)", $0.element) }
        self.init(dls, model, optimizer: optimizer, loss: loss, metrics: named, callbacks: callbacks, console: console)
    }

    /// A learner whose optimizer `optimizer` makes: `{ SGD($0, learningRate: $1, momentum: 0.9) }`.
    public init(_ dls: DataLoaders, _ model: any Module, optimizer: @escaping OptimizerFactory,
                loss: @escaping (_ prediction: Tensor, _ target: Tensor) -> Tensor,
                metrics: [Metric] = [], callbacks: [any Callback] = [], console: Console = .standardOutput) {
        self.dls = dls
        self.model = model
        self.makeOptimizer = optimizer
        self.loss = loss
        self.metrics = metrics
        self.callbacks = callbacks
        self.console = console
        recorder = Recorder(metricNames: metrics.map(\.name))
    }

    /// fastai's default learning rate, used when the first `fit` gives none.
    public static let defaultLearningRate: Float = 1e-3

    /// The optimizer, made on first use with ``defaultLearningRate`` if no `fit` gave one.
    public var optimizer: any Optimizer {
        if let createdOptimizer { return createdOptimizer }
        let made = makeOptimizer(model.parameters, Learner.defaultLearningRate)
        createdOptimizer = made
        return made
    }

    /// The optimizer's learning rate; a schedule callback sets it before each batch.
    public var learningRate: Float {
        get { optimizer.learningRate }
        set { optimizer.learningRate = newValue }
    }

    /// Drops the optimizer and its state (momenta); the next `fit` makes a fresh one.
    public func resetOptimizer() {
        createdOptimizer = nil
    }

    /// Runs `body` with a fresh optimizer, then puts the optimizer (with its state) and
    /// the recorder's losses, learning rates and rows back as they were: what fastai's
    /// `lr_find` leaves behind is the learner it started from.
    func restoringOptimizerAndRecorder<R>(_ body: () throws -> R) rethrows -> R {
        let optimizer = createdOptimizer
        let (losses, learningRates, epochs) = (recorder.losses, recorder.learningRates, recorder.epochs)
        createdOptimizer = nil
        defer {
            createdOptimizer = optimizer
            (recorder.losses, recorder.learningRates, recorder.epochs) = (losses, learningRates, epochs)
        }
        return try body()
    }

    /// Ends training: after the current batch, or, from `afterEpoch`, before the
    /// next epoch. `reason` is printed, and kept in ``stopReason``.
    public func requestStop(_ reason: String) {
        stopReason = reason
    }

    /// Trains for `epochs` epochs at learning rate `lr` (the optimizer's current one
    /// when nil), printing the table; `callbacks` join the learner's for this fit only.
    ///
    /// Throws ``TrainingError/nonFiniteLoss(epoch:batch:loss:learningRate:)`` as soon
    /// as a batch's loss is NaN or infinite, leaving the parameters as they were
    /// before that batch's step, and rethrows what a callback throws.
    @discardableResult
    public func fit(_ epochs: Int, lr: Float? = nil, callbacks extra: [any Callback] = []) throws -> FitResult {
        guard epochs >= 1 else { Nabla.fail("Learner.fit: epochs must be at least 1, got \(epochs)") }
        guard !epochs.multipliedReportingOverflow(by: Swift.max(dls.train.batchCount, 1)).overflow else {
            Nabla.fail("Learner.fit: \(epochs) epochs of \(dls.train.batchCount) batches are more steps than an Int counts")
        }
        if let lr {
            guard lr.isFinite && lr > 0 else { Nabla.fail("Learner.fit: the learning rate must be finite and positive, got \(lr)") }
            if let createdOptimizer { createdOptimizer.learningRate = lr } else { createdOptimizer = makeOptimizer(model.parameters, lr) }
        }
        let all = ([ProgressTable(console: console)] + callbacks + extra).enumerated()
            .sorted { ($0.element.order, $0.offset) < ($1.element.order, $1.offset) }.map(\.element)
        epochCount = epochs
        stopReason = nil
        let firstRecord = recorder.epochs.count
        do {
            try run(all) { try $0.beforeFit(self) }
            for epoch in 0..<epochs {
                self.epoch = epoch
                let start = monotonicSeconds()
                try run(all) { try $0.beforeEpoch(self) }
                let trainLoss = try trainOneEpoch(all)
                if stopReason != nil { break }
                let (validLoss, metricValues) = try validate(all)
                recorder.epochs.append(EpochRecord(epoch: epoch, trainLoss: trainLoss, validLoss: validLoss,
                                                   metrics: metricValues, seconds: monotonicSeconds() - start))
                try run(all) { try $0.afterEpoch(self) }
                if stopReason != nil { break }
            }
        } catch {
            try? run(all) { try $0.afterFit(self) }
            throw error
        }
        try run(all) { try $0.afterFit(self) }
        if let stopReason { console.writeLine(stopReason) }
        return FitResult(epochs: Array(recorder.epochs[firstRecord...]), stoppedEarly: stopReason != nil)
    }

    private func run(_ callbacks: [any Callback], _ hook: (any Callback) throws -> Void) rethrows {
        for callback in callbacks { try hook(callback) }
    }

    private func trainOneEpoch(_ callbacks: [any Callback]) throws -> Float {
        isTraining = true
        model.train()
        var lossSum = 0.0
        var sampleCount = 0
        batchIndex = 0
        let batches = dls.train.pass()
        let optimizer = self.optimizer
        let totalBatches = Double(max(dls.train.batchCount * epochCount, 1))
        while let (input, target) = batches.next() {
            self.input = input
            self.target = target
            try run(callbacks) { try $0.beforeBatch(self) }
            // The graph is built and released inside this call, so that the
            // step below runs with no graph holding the weights.
            let batchLoss = try computeLossAndGradients(callbacks)
            guard batchLoss.isFinite else {
                throw TrainingError.nonFiniteLoss(epoch: epoch, batch: batchIndex, loss: batchLoss,
                                                  learningRate: optimizer.learningRate)
            }
            try run(callbacks) { try $0.afterBackward(self) }
            recorder.losses.append(batchLoss)
            recorder.learningRates.append(optimizer.learningRate)
            optimizer.step()
            optimizer.zeroGrad()
            let size = self.input.shape.first ?? 1
            lossSum += Double(batchLoss) * Double(size)
            sampleCount += size
            trainingProgress = min(Double(epoch * dls.train.batchCount + batchIndex + 1) / totalBatches, 1)
            try run(callbacks) { try $0.afterBatch(self) }
            batchIndex += 1
            if stopReason != nil { break }
        }
        guard sampleCount > 0 || stopReason != nil else { throw TrainingError.noTrainingBatches(epoch: epoch) }
        return sampleCount > 0 ? Float(lossSum / Double(sampleCount)) : .nan
    }

    @inline(never)
    private func computeLossAndGradients(_ callbacks: [any Callback]) throws -> Float {
        prediction = model.withHooks(input) { model($0) }
        let lossTensor = loss(prediction, target)
        batchLoss = lossTensor.item
        try run(callbacks) { try $0.afterLoss(self) }
        if batchLoss.isFinite { lossTensor.backward() }
        return batchLoss
    }

    /// The validation loss and metrics, each weighted by batch size, without callbacks;
    /// NaN and no metrics when the validation set gives no batch.
    public func validate() -> (loss: Float, metrics: [Float]) {
        // Without callbacks only an empty validation set throws.
        (try? validate([])) ?? (.nan, [])
    }

    private func validate(_ callbacks: [any Callback]) throws -> (loss: Float, metrics: [Float]) {
        isTraining = false
        model.eval()
        try run(callbacks) { try $0.beforeValidate(self) }
        return try noGrad {
            var lossSum = 0.0
            var metricSums = [Double](repeating: 0, count: metrics.count)
            var sampleCount = 0
            batchIndex = 0
            let batches = dls.valid.pass()
            while let (input, target) = batches.next() {
                self.input = input
                self.target = target
                try run(callbacks) { try $0.beforeBatch(self) }
                prediction = model.withHooks(self.input) { model($0) }
                batchLoss = loss(prediction, self.target).item
                let size = Double(self.input.shape.first ?? 1)
                lossSum += Double(batchLoss) * size
                for (index, metric) in metrics.enumerated() {
                    metricSums[index] += Double(metric(prediction, self.target)) * size
                }
                sampleCount += Int(size)
                try run(callbacks) { try $0.afterBatch(self) }
                batchIndex += 1
            }
            // An empty validation set has no loss and no metrics (not 0): NaN, which the table prints as None.
            guard sampleCount > 0 else { return (.nan, metrics.map { _ in .nan }) }
            let count = Double(sampleCount)
            return (Float(lossSum / count), metricSums.map { Float($0 / count) })
        }
    }
}
