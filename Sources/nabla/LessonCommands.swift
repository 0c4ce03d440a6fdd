import Foundation
import ArgumentParser
import Nabla
import NablaDistributed
import NablaNN

/// `nabla similarity`: the pixel-similarity baseline.
struct SimilarityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "similarity",
        abstract: "Pixel similarity: mean images, their distances, and the baseline's validation accuracy.")

    @OptionGroup var dataOptions: DataOptions
    @OptionGroup var runOptions: RunOptions

    @Option(help: ArgumentHelp("The folder for the mean images' PNG files.", valueName: "folder"))
    var imageDirectory: String = "."

    func validate() throws { try requireWritableFolder(imageDirectory, for: "--image-directory \(imageDirectory)") }

    func run() throws {
        try runOnLessonData(dataOptions, runOptions) { data, console in
            try Similarity.run(data, console: console, imageDirectory: imageDirectory).report
        }
    }
}

/// `nabla train`: the linear model or the net, with the table.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train the book's linear model or its 784-30-1 net with SGD and print fastai's table.")

    @Option(help: "linear (lr 1, 20 epochs) or mlp (lr 0.1, 40 epochs).")
    var model: ModelKind = .linear

    @Option(parsing: .unconditional, help: "Epochs (default: 20 for linear, 40 for mlp).")
    var epochs: Int?

    @Option(name: .customLong("lr"), parsing: .unconditional, help: "Learning rate (default: 1 for linear, 0.1 for mlp).")
    var learningRate: Float?

    @Option(parsing: .unconditional, help: "Images per batch.")
    var batchSize: Int = 256

    @Option(parsing: .unconditional, help: "The seed of the initial weights and of the shuffling.")
    var seed: UInt64 = 42

    @Option(parsing: .unconditional, help: "Stop when the validation loss has not improved for this many epochs.")
    var patience: Int?

    @Option(help: ArgumentHelp("Save the trained parameters to this safetensors file.", valueName: "file"))
    var save: String?

    @OptionGroup var dataOptions: DataOptions
    @OptionGroup var runOptions: RunOptions
    @OptionGroup var distributedOptions: DistributedOptions

    func validate() throws {
        if let epochs { try requireEpochCount(epochs) }
        if let learningRate { try requireLearningRate(learningRate) }
        try requireAtLeastOne(batchSize, option: "--batch-size")
        if let patience { try requireAtLeastOne(patience, option: "--patience") }
        if let save { try requireWritableFile(save, for: "--save") }
    }

    var settings: TrainingSettings {
        TrainingSettings(model: model, epochs: epochs ?? model.defaultEpochs,
                         learningRate: learningRate ?? model.defaultLearningRate,
                         batchSize: batchSize, seed: seed, savePath: save, earlyStoppingPatience: patience,
                         prefetch: runOptions.prefetch)
    }

    func run() throws {
        try distributedOptions.run { parallel in
            try runOnLessonData(dataOptions, runOptions, printing: DataParallel.prints(parallel)) { data, console in
                try Training.run(settings, data: data, console: console, parallel: parallel).report
            }
        }
    }
}

/// `nabla lesson`: the whole chapter on one load of the data.
struct LessonCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lesson",
        abstract: "The whole chapter: pixel similarity, the linear model, the 784-30-1 net, then two closed-form baselines (least squares, eigen-digits).")

    @Option(parsing: .unconditional, help: "The seed of the initial weights and of the shuffling.")
    var seed: UInt64 = 42

    @Option(help: ArgumentHelp("The folder for the chapter's pictures (PNG files).", valueName: "folder"))
    var imageDirectory: String = "."

    @OptionGroup var dataOptions: DataOptions
    @OptionGroup var runOptions: RunOptions

    func validate() throws { try requireWritableFolder(imageDirectory, for: "--image-directory \(imageDirectory)") }

    func run() throws {
        try runOnLessonData(dataOptions, runOptions) { data, console in
            var report = JSONReport()
            var pictures = LessonPictures(folder: imageDirectory, console: console)
            // Each stage's temporaries differ from the next one's: the buffers the storage cache keeps
            // for reuse would only hold memory (the lesson's peak RSS, 64 MiB, counts them).
            let endStage = { Nabla.emptyStorageCache() }
            let similarity = try Similarity.run(data, console: console, imageDirectory: imageDirectory)
            report.add("similarity", similarity.report)
            try pictures.drawData(data)
            try pictures.drawCalculus(seed: seed)
            endStage()
            var summary = [("pixel similarity", similarity, "")]
            for kind in ModelKind.allCases {
                console.writeLine()
                let settings = TrainingSettings(model: kind, epochs: kind.defaultEpochs, learningRate: kind.defaultLearningRate,
                                                batchSize: 256, seed: seed, savePath: nil, earlyStoppingPatience: nil,
                                                prefetch: runOptions.prefetch)
                let result = try Training.run(settings, data: data, console: console)
                report.add(kind.rawValue, result.report)
                summary.append((kind.title, result, "\(settings.epochs) epochs in "))
                if let (model, fit) = result.trained {
                    try pictures.drawTraining(kind, fit: fit)
                    if kind == .mlp { try pictures.drawMistakes(of: model, data: data) }
                }
                endStage()
            }
            console.writeLine()
            let (leastSquares, gram) = try ClosedFormBaselines.leastSquares(data, console: console)
            report.add("least_squares", leastSquares.report)
            summary.append(("least squares", leastSquares, "closed form in "))
            endStage()
            console.writeLine()
            let eigenDigits = try ClosedFormBaselines.eigenDigits(data, gram: gram, console: console)
            report.add("eigen_digits", eigenDigits.result.report)
            try pictures.drawEigenDigits(eigenDigits.pca, height: data.trainImages.shape[1], width: data.trainImages.shape[2])
            summary.append(("eigen-digits k=\(eigenDigits.components)", eigenDigits.result, "nearest mean in "))
            console.writeLine()
            pictures.reportWritten()
            console.writeLine()
            console.writeLine("== Summary: validation accuracy on \(data.validCount) images (\(data.positiveName)s vs \(data.negativeName)s) ==")
            for (name, result, what) in summary {
                console.writeLine(padded(name, 18) + fourDecimals(result.accuracy) + "  (\(what)\(formatSeconds(result.seconds)))")
            }
            return report
        }
    }
}

/// Loads the lesson's data, runs `stage` on it, then adds the load and total
/// wall times to its report and prints the JSON object (with `--json`) or the total.
/// Without `printing` (a distributed job's ranks but 0) nothing is printed.
private func runOnLessonData(_ dataOptions: DataOptions, _ runOptions: RunOptions, printing: Bool = true,
                             _ stage: (LessonData, Console) throws -> JSONReport) throws {
    let start = monotonicSeconds()
    let console = printing ? runOptions.console : .silent
    try runOptions.run {
        let data = try LessonData.load(dataOptions, console: console)
        var report = try stage(data, console)
        report.add("load_seconds", data.loadSeconds)
        let seconds = monotonicSeconds() - start
        report.add("seconds", seconds)
        guard printing else { return }
        if runOptions.json {
            Console.standardOutput.writeLine(report.text)
        } else {
            Console.standardOutput.writeLine("Wall time \(formatSeconds(seconds)) from start, loading the data included.")
        }
    }
}

/// What one stage of the lesson reports: its JSON figures, and the two the summary shows.
struct StageResult {
    var report: JSONReport
    let accuracy: Float
    let seconds: Double
    /// A trained model and its fit, for the lesson's pictures.
    var trained: (model: any Module, fit: FitResult)? = nil
}
