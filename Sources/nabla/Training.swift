import ArgumentParser
import Nabla
import NablaData
import NablaDistributed
import NablaNN

/// The two models of the chapter.
enum ModelKind: String, ExpressibleByArgument, CaseIterable {
    /// `x·w + b` with w and b drawn from randn, trained by the plain step written out (lr 1, 20 epochs).
    case linear
    /// Linear(784, 30) → ReLU → Linear(30, 1), PyTorch's initialisation (lr 0.1, 40 epochs).
    case mlp

    var defaultEpochs: Int { self == .linear ? 20 : 40 }
    var defaultLearningRate: Float { self == .linear ? 1 : 0.1 }

    /// The name the lesson's summary uses.
    var title: String { self == .linear ? "linear model" : "neural net" }

    /// What the model is, for images of `inputs` pixels.
    func summary(inputs: Int) -> String {
        switch self {
        case .linear: return "the linear model x·w + b (w, b from randn), mnistLoss, BasicOptim (p -= lr · grad)"
        case .mlp: return "the net Linear(\(inputs), 30) → ReLU → Linear(30, 1), mnistLoss, SGD"
        }
    }

    /// The book's optimizer for this model: its own `BasicOptim`, the plain
    /// step written out, for the linear model; `SGD` for the net.
    var optimizer: any Optimizer.Type { self == .linear ? BasicOptim.self : SGD.self }

    /// A freshly initialised model for images of `inputs` pixels.
    func makeModel(inputs: Int, generator: inout RandomGenerator) -> any Module {
        switch self {
        case .linear:
            // The book's init_params: torch.randn(size) * 1.0 for the weights, then for the bias.
            let weight = Tensor.randn([1, inputs], generator: &generator)
            let bias = Tensor.randn([1], generator: &generator)
            return Linear(weight: weight, bias: bias)
        case .mlp:
            return Sequential(
                Linear(inputs: inputs, outputs: 30, generator: &generator),
                ReLU(),
                Linear(inputs: 30, outputs: 1, generator: &generator))
        }
    }
}

/// The book's `BasicOptim`, kept as the lesson writes it before it switches to
/// `SGD`: for every parameter `p -= lr * p.grad`, then forget the gradients.
/// (`SGD` with momentum and weight decay at 0 computes the same thing.)
final class BasicOptim: Optimizer {
    let parameters: [Parameter]
    var learningRate: Float

    required init(_ parameters: [Parameter], learningRate: Float) {
        self.parameters = parameters
        self.learningRate = learningRate
    }

    func step() {
        noGrad {
            for p in parameters {
                if let grad = p.grad { p.value.addScaled(grad, by: -learningRate) }
            }
        }
    }

    func zeroGrad() {
        for p in parameters { p.value.grad = nil }
    }
}

/// The training recipe of one run.
struct TrainingSettings {
    var model: ModelKind
    var epochs: Int
    var learningRate: Float
    var batchSize: Int
    var seed: UInt64
    var savePath: String?
    var earlyStoppingPatience: Int?
    /// Whether the loader gathers the next training batch while this one trains (nil: the loader's default).
    var prefetch: Bool?
}

enum Training {
    /// Trains one model on `data`, printing the table, and returns its figures;
    /// with `savePath` set, saves the trained parameters there.
    /// With `parallel`, this is one rank of a data-parallel job: it trains on its
    /// shard of every global batch of `settings.batchSize`, and only rank 0 saves.
    static func run(_ settings: TrainingSettings, data: LessonData, console: Console,
                    parallel: DataParallel? = nil) throws -> StageResult {
        let start = monotonicSeconds()
        var generator = RandomGenerator(seed: settings.seed)
        let (trainPixels, trainTargets) = data.trainingPixels
        try requireBatchSize(settings.batchSize, atMost: trainPixels.shape[0], set: "the training set")
        let (validInputs, validTargets) = data.validationSet
        let pixelCount = trainPixels.shape[1]
        let model = settings.model.makeModel(inputs: pixelCount, generator: &generator)
        // The training images stay bytes: the loader converts each batch as it gathers it.
        let loader = DataLoader(images: trainPixels, targets: trainTargets, batchSize: settings.batchSize,
                                shuffle: true, seed: generator.next())
        loader.prefetch = settings.prefetch
        let loaders = parallel?.shard(loader, DataLoader(inputs: validInputs, targets: validTargets, batchSize: settings.batchSize))
            ?? DataLoaders(BatchSource(loader), batches(validInputs, validTargets, batchSize: settings.batchSize))

        console.writeLine("== Training \(settings.model.summary(inputs: pixelCount)) ==")
        console.writeLine("\(settings.epochs) epochs, learning rate \(settings.learningRate), batch size \(settings.batchSize), seed \(settings.seed), \(model.parameterCount) parameters, backend \(Nabla.backend.rawValue), \(Nabla.threadCount) OpenBLAS thread\(Nabla.threadCount == 1 ? "" : "s"), prefetching \(prefetching(settings, parallel))"
            + (parallel.map { ", data-parallel over \($0.group.size) ranks" } ?? ""))
        var callbacks: [any Callback] = [DivergenceWarning()] + (parallel.map { [$0] } ?? [])
        if let patience = settings.earlyStoppingPatience { callbacks.append(EarlyStopping(patience: patience)) }
        let learner = Learner(loaders, model, optimizer: settings.model.optimizer, loss: mnistLoss,
                              metrics: [.accuracy], callbacks: callbacks, console: console)
        let trainStart = monotonicSeconds()
        let fit = try learner.fit(settings.epochs, lr: settings.learningRate, callbacks: [PlateauWarning()])
        let trainSeconds = monotonicSeconds() - trainStart

        if let savePath = settings.savePath, DataParallel.prints(parallel) {
            try model.save(to: savePath, metadata: ["format": "pt", "model": settings.model.rawValue])
            console.writeLine("Saved the parameters to \(savePath) (safetensors).")
        }
        let last = fit.epochs.last
        let accuracy = last?.metrics.first ?? .nan
        let seconds = monotonicSeconds() - start
        console.writeLine("Final validation accuracy \(fourDecimals(accuracy)) after \(fit.epochs.count) epochs\(fit.stoppedEarly ? " (stopped early)" : ""); training \(formatSeconds(trainSeconds)), \(formatSeconds(seconds)) with setup.")

        var report = JSONReport()
        report.add("model", settings.model.rawValue)
        report.add("accuracy", accuracy)
        report.add("train_loss", last?.trainLoss ?? .nan)
        report.add("valid_loss", last?.validLoss ?? .nan)
        report.add("epochs", fit.epochs.count)
        report.add("learning_rate", settings.learningRate)
        report.add("batch_size", settings.batchSize)
        report.add("seed", settings.seed)
        report.add("train_seconds", trainSeconds)
        report.add("stage_seconds", seconds)
        report.add("threads", Nabla.threadCount)
        report.add("prefetch", prefetching(settings, parallel))
        if let parallel {
            report.add("ranks", parallel.group.size)
            report.add("allreduce_seconds", parallel.allReduceSeconds)
        }
        return StageResult(report: report, accuracy: accuracy, seconds: trainSeconds, trained: (model, fit))
    }

    /// The training loader's prefetching, in words: off, on, or chosen each epoch from the last one's timings (the default).
    private static func prefetching(_ settings: TrainingSettings, _ parallel: DataParallel?) -> String {
        guard parallel == nil, let prefetch = settings.prefetch else { return parallel == nil ? "adaptive" : "off" }
        return prefetch ? "on" : "off"
    }

    /// Consecutive slices of `inputs` and `targets` in stored order, which are
    /// views, so the validation pass copies nothing.
    static func batches(_ inputs: Tensor, _ targets: Tensor, batchSize: Int) -> BatchSource {
        let count = inputs.shape[0]
        return BatchSource(stride(from: 0, to: count, by: batchSize).map { start in
            let rows = start..<min(start + batchSize, count)
            return (inputs[rows], targets[rows])
        })
    }
}
