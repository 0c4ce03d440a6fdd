import ArgumentParser
import Foundation
import Nabla
import NablaData
import NablaDistributed
import NablaNN

/// `nabla digits`: the chapter's "further research", all ten classes of MNIST
/// (or Fashion-MNIST): the training set trains, the test set validates.
struct DigitsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "digits",
        abstract: "Train a ten-class classifier on MNIST or Fashion-MNIST with fit_one_cycle; print fastai's table, the confusion matrix and the accuracy per class.",
        discussion: """
            Defaults (Adam, batch 128): linear 3 epochs at lr 0.003, mlp 5 epochs at 0.003, cnn 2 epochs at 0.01; \
            with --optimizer sgd (momentum scheduled 0.95 → 0.85 → 0.95) the learning rates are ten times larger.
            """)

    enum DatasetChoice: String, ExpressibleByArgument, CaseIterable { case mnist, fashion }
    enum OptimizerChoice: String, ExpressibleByArgument, CaseIterable { case sgd, adam }

    @Option(help: "mnist or fashion (Fashion-MNIST).")
    var dataset: DatasetChoice = .mnist

    @Option(help: "linear (softmax regression), mlp (784-128-10) or cnn (two convolutions with batch norm).")
    var model: DigitModel = .cnn

    @Option(parsing: .unconditional, help: "Epochs (default: linear 3, mlp 5, cnn 2).")
    var epochs: Int?

    @Option(name: .customLong("lr"), parsing: .unconditional, help: "The peak learning rate of the one cycle (default: see above).")
    var learningRate: Float?

    @Option(help: "sgd or adam.")
    var optimizer: OptimizerChoice = .adam

    @Option(parsing: .unconditional, help: "Images per batch.")
    var batchSize: Int = 128

    @Option(help: "The seed of the initial weights, the shuffling and dropout.")
    var seed: UInt64 = 42

    @Flag(help: "Run fastai's learning-rate finder (200 batches) first and print its suggestions.")
    var lrFind = false

    @Option(help: ArgumentHelp("Save the trained model (parameters and batch-norm statistics) to this safetensors file.", valueName: "file"))
    var save: String?

    @OptionGroup var runOptions: RunOptions
    @OptionGroup var distributedOptions: DistributedOptions

    func validate() throws {
        if let epochs { try requireEpochCount(epochs) }
        if let learningRate { try requireLearningRate(learningRate) }
        try requireAtLeastOne(batchSize, option: "--batch-size")
        // As train --save: a path that cannot be written fails now, not after the training.
        if let save { try requireWritableFile(save, for: "--save") }
    }

    var epochCount: Int { epochs ?? [.linear: 3, .mlp: 5, .cnn: 2][model]! }

    var peakLearningRate: Float {
        learningRate ?? ([.linear: 0.003, .mlp: 0.003, .cnn: 0.01][model]! * (optimizer == .sgd ? 10 : 1))
    }

    func run() throws {
        try distributedOptions.run(train)
    }

    /// With `parallel`, one rank of a data-parallel job: only rank 0 prints and saves.
    private func train(parallel: DataParallel?) throws {
        let start = monotonicSeconds()
        let printing = DataParallel.prints(parallel)
        let console = printing ? runOptions.console : .silent
        try runOptions.run {
            let (train, valid) = dataset == .mnist
                ? (try Datasets.mnist(split: .train), try Datasets.mnist(split: .test))
                : (try Datasets.fashionMNIST(split: .train), try Datasets.fashionMNIST(split: .test))
            try requireBatchSize(batchSize, atMost: train.count, set: "the training set")
            // The model's first layer normalises with the training set's pixel statistics, as
            // torchvision's Normalize, which refuses a standard deviation of 0: so does this, naming
            // the file. Being a layer, it is saved with the weights: the checkpoint takes 0–1 pixels in torch too.
            guard train.images.max().item > train.images.min().item else {
                let files = dataset == .mnist ? try Datasets.mnistFiles(split: .train) : try Datasets.fashionMNISTFiles(split: .train)
                throw DataError(path: files.images, problem: "every pixel is \(train.images.min().item): images of one value cannot be normalised (their standard deviation is 0)")
            }
            let (mean, deviation) = train.pixelStatistics
            let trainImages = train.images.unsqueeze(axis: 1), validImages = valid.images.unsqueeze(axis: 1)
            let loadSeconds = monotonicSeconds() - start

            var generator = RandomGenerator(seed: seed)
            let network = model.make(generator: &generator, mean: mean, standardDeviation: deviation)
            let trainLoader = DataLoader(inputs: trainImages, targets: train.labels, batchSize: batchSize, shuffle: true, seed: generator.next())
            let validLoader = DataLoader(inputs: validImages, targets: valid.labels, batchSize: 1000)
            let loaders = parallel?.shard(trainLoader, validLoader) ?? DataLoaders(trainLoader, validLoader)
            let optimizerFactory: OptimizerFactory = optimizer == .adam
                ? { Adam($0, learningRate: $1) }
                : { SGD($0, learningRate: $1, momentum: 0.9) }
            let learner = Learner(loaders, network, optimizer: optimizerFactory, loss: crossEntropy,
                                  metrics: [.multiClassAccuracy], callbacks: [DivergenceWarning()] + (parallel.map { [$0] } ?? []),
                                  console: console)

            let name = dataset == .mnist ? "MNIST" : "Fashion-MNIST"
            console.writeLine("== \(name): \(train.count) training images, \(valid.count) test images, 10 classes ==")
            console.writeLine("model \(model.rawValue) (\(network.parameterCount) parameters), \(optimizer.rawValue), fit_one_cycle \(epochCount) epochs at lr \(peakLearningRate), batch size \(batchSize), seed \(seed), backend \(Nabla.backend.rawValue), \(Nabla.threadCount) thread(s)"
                + (parallel.map { " per rank, data-parallel over \($0.group.size) ranks" } ?? ""))
            if lrFind {
                let finding = try learner.lrFind()
                console.writeLine("lr_find: the loss fell from \(formatFixed(Double(finding.losses.first ?? .nan), decimals: 4)) to \(formatFixed(Double(finding.losses.min() ?? .nan), decimals: 4))")
            }
            let trainStart = monotonicSeconds()
            let fit = try learner.fitOneCycle(epochCount, maxLearningRate: peakLearningRate, callbacks: [PlateauWarning()])
            let trainSeconds = monotonicSeconds() - trainStart

            let confusion = ConfusionMatrix(model: network, inputs: validImages, labels: valid.labels, classCount: valid.classNames.count)
            console.writeLine()
            console.writeLine("Confusion matrix on the \(valid.count) test images (rows: actual, columns: predicted):")
            console.writeLine(confusion.table(classNames: valid.classNames))
            console.writeLine()
            console.writeLine("Test accuracy \(formatFixed(confusion.accuracy, decimals: 4)) after \(fit.epochs.count) epochs; training \(formatSeconds(trainSeconds)), \(formatSeconds(monotonicSeconds() - start)) in all.")
            if let save, printing {
                try network.save(to: save, metadata: ["format": "pt", "model": model.rawValue, "dataset": dataset.rawValue])
                console.writeLine("Saved the model to \(save) (safetensors; loads into torch.nn as \(model.torchSource), with the Normalize class of NablaNN's Normalize.torchSource; it takes 0–1 pixels).")
            }
            if runOptions.json && printing {
                var report = JSONReport()
                report.add("dataset", dataset.rawValue)
                report.add("model", model.rawValue)
                report.add("optimizer", optimizer.rawValue)
                report.add("epochs", fit.epochs.count)
                report.add("learning_rate", peakLearningRate)
                report.add("batch_size", batchSize)
                report.add("accuracy", confusion.accuracy)
                var perClass = JSONReport()
                for (className, fraction) in zip(valid.classNames, confusion.perClassAccuracy) { perClass.add(className, fraction) }
                report.add("per_class_accuracy", perClass)
                report.add("train_loss", fit.epochs.last?.trainLoss ?? .nan)
                report.add("valid_loss", fit.epochs.last?.validLoss ?? .nan)
                report.add("load_seconds", loadSeconds)
                report.add("train_seconds", trainSeconds)
                report.add("seconds", monotonicSeconds() - start)
                if let parallel {
                    report.add("ranks", parallel.group.size)
                    report.add("allreduce_seconds", parallel.allReduceSeconds)
                }
                Console.standardOutput.writeLine(report.text)
            }
        }
    }
}

extension DigitModel: ExpressibleByArgument {}
