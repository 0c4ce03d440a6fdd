import Nabla

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

    /// A source over a loader of `(inputs:, targets:)` batches, such as NablaData's
    /// `DataLoader` (`BatchSource(loader, batchCount: loader.batchCount)`), which
    /// starts its next epoch, reshuffled, each time it is iterated.
    public init<S: Sequence>(_ batches: S, batchCount: Int? = nil) where S.Element == (inputs: Tensor, targets: Tensor) {
        self.init(batchCount: batchCount ?? batches.underestimatedCount) {
            var iterator = batches.makeIterator()
            return AnyIterator { iterator.next().map { ($0.inputs, $0.targets) } }
        }
    }

    func pass() -> AnyIterator<(Tensor, Tensor)> { makePass() }
}

/// Stops training when the validation loss has not improved by more than
/// `minDelta` for `patience` epochs in a row.
public struct EarlyStopping {
    public var patience: Int
    public var minDelta: Float

    public init(patience: Int, minDelta: Float = 0) {
        precondition(patience >= 1, "EarlyStopping: patience must be at least 1, got \(patience)")
        self.patience = patience
        self.minDelta = minDelta
    }
}

/// Why training stopped before its last epoch.
public enum TrainingError: Error, CustomStringConvertible {
    /// The training loss became NaN or infinite.
    case nonFiniteLoss(epoch: Int, batch: Int, loss: Float, learningRate: Float)

    public var description: String {
        switch self {
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
    /// The mean validation loss, weighted by batch size.
    public let validLoss: Float
    /// Each metric's mean over the validation set, in the learner's metric order.
    public let metrics: [Float]
    /// Wall time of the epoch, validation included.
    public let seconds: Double
}

/// What `fit` did.
public struct FitResult {
    public let epochs: [EpochRecord]
    /// True when early stopping ended training before the requested epochs.
    public let stoppedEarly: Bool
    /// Total wall time of all epochs.
    public var seconds: Double { epochs.reduce(0) { $0 + $1.seconds } }
}

/// Trains a model, as fastai's `Learner`: for each epoch, one pass over the
/// training batches (forward, loss, backward, optimizer step), then one
/// pass over the validation batches without gradients, then a table row.
public final class Learner {
    public let model: any Module
    public let train: BatchSource
    public let valid: BatchSource
    public let loss: (_ prediction: Tensor, _ target: Tensor) -> Tensor
    public let optimizer: any Optimizer
    public let metrics: [Metric]
    public var earlyStopping: EarlyStopping?
    /// Where the table and progress bar go.
    public var console: Console

    public init(model: any Module, train: BatchSource, valid: BatchSource,
                loss: @escaping (_ prediction: Tensor, _ target: Tensor) -> Tensor,
                optimizer: any Optimizer, metrics: [Metric] = [.accuracy],
                earlyStopping: EarlyStopping? = nil, console: Console = .standardOutput) {
        self.model = model
        self.train = train
        self.valid = valid
        self.loss = loss
        self.optimizer = optimizer
        self.metrics = metrics
        self.earlyStopping = earlyStopping
        self.console = console
    }

    /// Trains for `epochs` epochs, printing the table; throws
    /// ``TrainingError/nonFiniteLoss(epoch:batch:loss:learningRate:)`` as soon as a
    /// batch's loss is NaN or infinite, leaving the parameters as they were before that batch's step.
    @discardableResult
    public func fit(epochs: Int) throws -> FitResult {
        precondition(epochs >= 0, "Learner.fit: epochs must not be negative, got \(epochs)")
        var table = FitTable(console: console, metricNames: metrics.map(\.name))
        table.printHeader()
        var records: [EpochRecord] = []
        var bestValidLoss = Float.infinity
        var epochsWithoutImprovement = 0
        for epoch in 0..<epochs {
            let start = monotonicSeconds()
            let trainLoss = try trainOneEpoch(epoch: epoch, table: &table)
            let (validLoss, metricValues) = validate(table: &table)
            let record = EpochRecord(epoch: epoch, trainLoss: trainLoss, validLoss: validLoss,
                                     metrics: metricValues, seconds: monotonicSeconds() - start)
            records.append(record)
            table.printRow(epoch: epoch, trainLoss: trainLoss, validLoss: validLoss,
                           metrics: metricValues, seconds: record.seconds)
            if let earlyStopping {
                if validLoss < bestValidLoss - earlyStopping.minDelta {
                    bestValidLoss = validLoss
                    epochsWithoutImprovement = 0
                } else {
                    epochsWithoutImprovement += 1
                    if epochsWithoutImprovement >= earlyStopping.patience, epoch + 1 < epochs {
                        console.writeLine("stopping early: valid_loss has not improved on \(formatFixed(Double(bestValidLoss), decimals: 6)) for \(epochsWithoutImprovement) epochs")
                        return FitResult(epochs: records, stoppedEarly: true)
                    }
                }
            }
        }
        return FitResult(epochs: records, stoppedEarly: false)
    }

    private func trainOneEpoch(epoch: Int, table: inout FitTable) throws -> Float {
        var lossSum = 0.0
        var sampleCount = 0
        var batchIndex = 0
        let batches = train.pass()
        while let (input, target) = batches.next() {
            // The graph is built and released inside this call, so that the
            // step below finds the weights uniquely referenced and updates them in place.
            let batchLoss = computeLossAndGradients(input, target)
            guard batchLoss.isFinite else {
                table.clearProgress()
                throw TrainingError.nonFiniteLoss(epoch: epoch, batch: batchIndex, loss: batchLoss,
                                                  learningRate: optimizer.learningRate)
            }
            optimizer.step()
            optimizer.zeroGrad()
            let size = input.shape.first ?? 1
            lossSum += Double(batchLoss) * Double(size)
            sampleCount += size
            batchIndex += 1
            table.showProgress(batch: batchIndex, of: train.batchCount, phase: "train")
        }
        return sampleCount > 0 ? Float(lossSum / Double(sampleCount)) : .nan
    }

    @inline(never)
    private func computeLossAndGradients(_ input: Tensor, _ target: Tensor) -> Float {
        let batchLoss = loss(model(input), target)
        let value = batchLoss.item
        if value.isFinite { batchLoss.backward() }
        return value
    }

    /// The validation loss and metrics, each weighted by batch size.
    public func validate() -> (loss: Float, metrics: [Float]) {
        var table = FitTable(console: .silent, metricNames: [])
        return validate(table: &table)
    }

    private func validate(table: inout FitTable) -> (loss: Float, metrics: [Float]) {
        noGrad {
            var lossSum = 0.0
            var metricSums = [Double](repeating: 0, count: metrics.count)
            var sampleCount = 0
            var batchIndex = 0
            let batches = valid.pass()
            while let (input, target) = batches.next() {
                let prediction = model(input)
                let size = Double(input.shape.first ?? 1)
                lossSum += Double(loss(prediction, target).item) * size
                for (index, metric) in metrics.enumerated() {
                    metricSums[index] += Double(metric.measure(prediction, target)) * size
                }
                sampleCount += Int(size)
                batchIndex += 1
                table.showProgress(batch: batchIndex, of: valid.batchCount, phase: "valid")
            }
            let count = Double(max(sampleCount, 1))
            return (Float(lossSum / count), metricSums.map { Float($0 / count) })
        }
    }
}
