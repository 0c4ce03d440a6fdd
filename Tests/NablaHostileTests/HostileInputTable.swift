#if canImport(Glibc)
import Glibc
#endif
import Foundation
import XCTest
import Nabla
import NablaData
import NablaNN
import NablaPlot
import NablaTestSupport

/// The hostile-input table, in the style of the differential test: one row per
/// bad input a user can hand Nabla — the op or command, the input, and the
/// outcome PyTorch's user expects: PyTorch's value, or an error whose message
/// names the op (or file, or option) and the bad size. Every row runs on both
/// backends, each in its own process under an address-space cap, so that a
/// regression shows as a failing row, never as a crash of the run or a machine
/// out of memory.
///
/// Every new op or flag lands with its hostile rows here. The rows started with
/// the cases of issue 24; the module suites hold the test of each fix.
final class HostileInputTable: XCTestCase {
    /// What a row must give.
    enum Expected {
        /// These values (PyTorch's, computed once in float64 and exact in Float), NaN equal to NaN.
        case values([Float])
        /// A programmer error (``Nabla/fail(_:)``) whose message contains this text.
        case failure(String)
        /// A thrown error whose description contains this text.
        case error(String)
    }

    struct Row {
        let subject: String
        let input: String
        let expected: Expected
        let run: () throws -> [Float]
    }

    /// Each forked row may allocate this much beyond the test process: far more
    /// than any row needs, far less than the bad sizes ask for.
    static let rowMemory = 1 << 30

    static let rows: [Row] = [
        // Window ops (issue 24, items 1 and 4).
        Row(subject: "maxPool2d", input: "[1, 2, 1, 1] = [1, 2], kernel 2, stride 2, padding 1, dilation 2: every window in the padding; output, then gradient",
            expected: .values([-.infinity, -.infinity, 0, 0])) {
            let x = Tensor(shape: [1, 2, 1, 1], scalars: [1, 2]).requiringGrad()
            let y = x.maxPool2d(kernelSize: 2, stride: 2, padding: 1, dilation: 2)
            y.sum().backward()
            return y.scalars + x.grad!.scalars
        },
        Row(subject: "conv2d", input: "[1, 1, 2, 2] with a 1×1 kernel, padding 2^40",
            expected: .failure("conv2d: the output plane 2199023255554 × 2199023255554 is too large to count")) {
            Tensor.ones([1, 1, 2, 2]).conv2d(Tensor.ones([1, 1, 1, 1]), padding: Size2D(1 << 40, 1 << 40)).scalars
        },
        Row(subject: "conv2d", input: "[1, 1, 2, 2] with a 1×1 kernel, padding 2^20 (PyTorch: cannot allocate 17592219598864 bytes)",
            expected: .failure("conv2d: the output [1, 1, 2097154, 2097154] needs 17592219598864 bytes")) {
            Tensor.ones([1, 1, 2, 2]).conv2d(Tensor.ones([1, 1, 1, 1]), padding: Size2D(1 << 20, 1 << 20)).scalars
        },
        Row(subject: "conv2d", input: "padding Int.max / 2",
            expected: .failure("conv2d: padding (4611686018427387903, 4611686018427387903) is too large for the input plane 2×2")) {
            Tensor.ones([1, 1, 2, 2]).conv2d(Tensor.ones([1, 1, 1, 1]), padding: Size2D(Int.max / 2, Int.max / 2)).scalars
        },
        Row(subject: "unfold", input: "[1, 1, 2, 2], kernel 1, padding 2^20",
            expected: .failure("unfold: the output [1, 1, 4398054899716] needs 17592219598864 bytes")) {
            Tensor.ones([1, 1, 2, 2]).unfold(kernelSize: 1, padding: Size2D(1 << 20, 1 << 20)).scalars
        },
        Row(subject: "fold", input: "output size 2^40 × 2^40", expected: .failure("fold: the output plane 1099511627776 × 1099511627776 is too large to count")) {
            Tensor.ones([1, 1, 1]).fold(outputSize: Size2D(1 << 40, 1 << 40), kernelSize: 1).scalars
        },
        Row(subject: "adaptiveAvgPool2d", input: "[1, 1, 2, 2] to 2^30 × 2^30",
            expected: .failure("adaptiveAvgPool2d: the output [1, 1, 1073741824, 1073741824] needs 4611686018427387904 bytes")) {
            Tensor.ones([1, 1, 2, 2]).adaptiveAvgPool2d(outputSize: Size2D(1 << 30, 1 << 30)).scalars
        },
        Row(subject: "avgPool2d", input: "[1, 1, 2, 2], kernel 2, padding 1, count_include_pad", expected: .values([0.25, 0.25, 0.25, 0.25])) {
            Tensor.ones([1, 1, 2, 2]).avgPool2d(kernelSize: 2, padding: 1).scalars
        },
        // Linear algebra (item 3, fixed in Linalg): NaN is data, an empty matrix has norm 0.
        Row(subject: "Linalg.determinant", input: "[[1, NaN], [3, 4]]", expected: .values([.nan])) {
            Linalg.determinant(Tensor([[1, .nan], [3, 4]])).scalars
        },
        Row(subject: "Linalg.slogdet", input: "[[1, NaN], [3, 4]]: sign, then log|det|", expected: .values([0, .nan])) {
            let (sign, logAbs) = Linalg.slogdet(Tensor([[1, .nan], [3, 4]]))
            return sign.scalars + logAbs.scalars
        },
        Row(subject: "Linalg.solve", input: "[[2, 1], [1, 3]] x = [NaN, 2]", expected: .values([.nan, .nan])) {
            try Linalg.solve(Tensor([[2, 1], [1, 3]]), Tensor([.nan, 2])).scalars
        },
        Row(subject: "Linalg.cond", input: "a 0×0 matrix", expected: .values([0])) { try Linalg.cond(Tensor.zeros([0, 0])).scalars },
        Row(subject: "Linalg.matrixNorm(.two)", input: "a 0×0 matrix", expected: .values([0])) {
            try Linalg.matrixNorm(Tensor.zeros([0, 0]), .two).scalars
        },
        // Creation (item 4).
        Row(subject: "arange", input: "from 0 to 1e30 (PyTorch: invalid size, possible overflow)",
            expected: .failure("arange: from 0.0 to 1e+30 in steps of 1.0 is 1e+30 elements, more than the")) {
            Tensor.arange(from: 0, to: 1e30).scalars
        },
        Row(subject: "arange", input: "from 0 to infinity", expected: .failure("arange: the range from 0.0 to inf in steps of 1.0 is not finite")) {
            Tensor.arange(from: 0, to: .infinity).scalars
        },
        // Training (items 4 and 8).
        Row(subject: "SGD", input: "learning rate −1 (torch.optim.SGD: Invalid learning rate)",
            expected: .failure("SGD: invalid learning rate -1.0: it must not be negative")) {
            _ = SGD([Parameter(Tensor([1]))], learningRate: -1)
            return []
        },
        Row(subject: "Learner.fit", input: "an empty validation set: its loss and metric", expected: .values([.nan, .nan])) {
            let batch = (Tensor([[1]]), Tensor([[2]]))
            let learner = Learner(DataLoaders(BatchSource([batch]), BatchSource([])), Linear(weight: Tensor([[0]]), bias: nil),
                                  loss: mseLoss, metrics: [Metric(name: "mae") { l1Loss($0, $1).item }], console: .silent)
            let record = try learner.fit(1, lr: 0.1).epochs[0]
            return [record.validLoss] + record.metrics
        },
        Row(subject: "Learner.fit", input: "Int.max epochs of 2 batches",
            expected: .failure("Learner.fit: 9223372036854775807 epochs of 2 batches are more steps than an Int counts")) {
            let batch = (Tensor([[1]]), Tensor([[2]]))
            let learner = Learner(DataLoaders(BatchSource([batch, batch]), BatchSource([batch])), Linear(weight: Tensor([[0]]), bias: nil),
                                  loss: mseLoss, console: .silent)
            try learner.fit(.max, lr: 0.1)
            return []
        },
        Row(subject: "DataLoader", input: "10 items, batch size Int.max: batches, then items in the first", expected: .values([1, 10])) {
            let loader = DataLoader(inputs: Tensor.zeros([10, 2]), targets: Tensor.zeros([10]), batchSize: .max)
            return [Float(loader.batchCount), Float(Array(loader)[0].targets.shape[0])]
        },
        // Checkpoints (item 7).
        Row(subject: "Module.load", input: "a checkpoint whose weight is [16384, 16384] (1 GiB, sparse) for Linear(2, 1)",
            expected: .error("does not fit the model: Error(s) in loading state_dict for Linear:\n\tsize mismatch for weight: copying a param with shape [16384, 16384] from checkpoint")) {
            let path = try sparseCheckpoint(weightShape: [16384, 16384])
            defer { unlink(path) }
            try Linear(weight: Tensor.zeros([1, 2]), bias: Tensor.zeros([1])).load(from: path)
            return []
        },
        // Datasets (item 6), found through $NABLA_DATA in the row's own process.
        Row(subject: "Datasets.mnist", input: "a label of 10", expected: .error("train-labels.idx1-ubyte: label 10 of image 1 is not one of the 10 classes 0...9")) {
            try installMNIST(side: 28, labels: [3, 10])
            return try Datasets.mnist(split: .train).labels.scalars
        },
        Row(subject: "Datasets.mnist", input: "14×14 images", expected: .error("train-images.idx3-ubyte: holds images of 14×14 pixels")) {
            try installMNIST(side: 14, labels: [3, 4])
            return try Datasets.mnist(split: .train).labels.scalars
        },
        Row(subject: "Datasets.mnist", input: "no images", expected: .error("train-images.idx3-ubyte: holds no images")) {
            try installMNIST(side: 28, labels: [])
            return try Datasets.mnist(split: .train).labels.scalars
        },
        // Plots (items 4 and 5): drawn as PNG, SVG and text, as matplotlib draws them, or refused.
        Row(subject: "Plot", input: "y from −1e308 to 1e308", expected: .values([1])) {
            var plot = Plot()
            plot.line(x: [0, 1], y: [-1e308, 1e308])
            return try drawn(plot)
        },
        Row(subject: "Plot", input: "y from 0 to 5e−324", expected: .values([1])) {
            var plot = Plot()
            plot.line(x: [0, 1], y: [0, 5e-324])
            return try drawn(plot)
        },
        Row(subject: "HeatMap", input: "every value 3e38", expected: .values([1])) { try drawn(HeatMap(Tensor.full([2, 2], 3e38))) },
        Row(subject: "HeatMap", input: "range 1...1", expected: .values([1])) { try drawn(HeatMap(Tensor([[1, 2], [3, 4]]), range: 1...1)) },
        Row(subject: "ImageGrid", input: "one 1×100000 image (Cairo's limit is 32767)", expected: .values([1])) {
            try drawn(ImageGrid(Tensor.zeros([1, 100_000])))
        },
        Row(subject: "Plot.function", input: "2^40 samples", expected: .failure("Plot.function: 1099511627776 samples is more than the 10000000 a plot samples")) {
            var plot = Plot()
            plot.function(over: 0...1, samples: 1 << 40) { (x: Double) -> Double in x }
            return []
        },
        Row(subject: "Plot.terminalLines", input: "2^20 columns", expected: .failure("Plot.terminalLines: 1048576×16 characters is outside 1...10000")) {
            var plot = Plot()
            plot.line(x: [0, 1], y: [0, 1])
            return plot.terminalLines(width: 1 << 20, height: 16, style: .color).isEmpty ? [] : [1]
        },
    ]

    func testEveryRowOnBothBackends() {
        for row in Self.rows {
            for backend in [BackendKind.blas, .reference] {
                let got = outcome { _ in
                    capAddressSpace(extraBytes: Self.rowMemory)
                    do {
                        // A NaN is a NaN whatever its sign bit.
                        return "values \(try withBackend(backend) { try row.run() }.map { $0.isNaN ? Float.nan : $0 })"
                    } catch {
                        return "error \(error)"
                    }
                }
                let name = "\(row.subject) (\(row.input)) on \(backend)"
                switch row.expected {
                case .values(let values):
                    XCTAssertEqual(got.result, "values \(values)", "\(name): \(got)")
                case .failure(let text):
                    XCTAssertTrue(got.failure?.contains(text) ?? false, "\(name): expected a failure with \"\(text)\", got \(got)")
                case .error(let text):
                    XCTAssertTrue(got.result.map { $0.hasPrefix("error ") && $0.contains(text) } ?? false,
                                  "\(name): expected an error with \"\(text)\", got \(got)")
                }
            }
        }
    }

    // MARK: - The command's rows

    struct CommandRow {
        let arguments: [String]
        /// The message the command must end with (a failing status, nothing trained).
        let message: String
        var environment: [String: String] = [:]
    }

    static var commandRows: [CommandRow] {
        let huge = String(Int.max)
        return [
            CommandRow(arguments: ["digits", "--epochs", huge], message: "--epochs must be at most 1000000, got 9223372036854775807"),
            CommandRow(arguments: ["train", "--epochs", huge], message: "--epochs must be at most 1000000, got 9223372036854775807"),
            CommandRow(arguments: ["quadratic", "--steps", huge], message: "--steps must be at most 1000000, got 9223372036854775807"),
            CommandRow(arguments: ["digits", "--batch-size", huge], message: "--batch-size 9223372036854775807 is more than the 60000 images of the training set"),
            CommandRow(arguments: ["train", "--batch-size", huge], message: "--batch-size 9223372036854775807 is more than the 12396 images of the training set"),
            CommandRow(arguments: ["digits", "--save", NSTemporaryDirectory()], message: "is a folder; give a file name such as"),
            CommandRow(arguments: ["digits", "--save", "/proc/model.safetensors"], message: "--save /proc/model.safetensors: cannot write in the folder /proc"),
        ]
    }

    /// Each command row with each backend, under `prlimit --as` (4 GiB: the
    /// command's threads and MNIST fit; a size that escaped its check does not).
    func testEveryCommandRowOnBothBackends() throws {
        let products = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for row in Self.commandRows {
            for backend in ["blas", "reference"] {
                let process = Process()
                let command = [products.appendingPathComponent("nabla").path] + row.arguments + ["--backend", backend, "--threads", "1"]
                if addressSpaceCapsApply {
                    process.executableURL = URL(fileURLWithPath: "/usr/bin/prlimit")
                    process.arguments = ["--as=\(4 << 30)", "--"] + command
                } else {
                    process.executableURL = URL(fileURLWithPath: command[0])
                    process.arguments = Array(command.dropFirst())
                }
                process.environment = ProcessInfo.processInfo.environment.merging(row.environment) { $1 }
                let output = Pipe(), error = Pipe()
                process.standardOutput = output
                process.standardError = error
                try process.run()
                let errorText = Thread.detachNewThreadReading(error)
                let outputText = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                process.waitUntilExit()
                let stderr = errorText()
                let name = "nabla \(row.arguments.joined(separator: " ")) --backend \(backend)"
                // 64 (EX_USAGE) for an option refused before work, 1 for what only the data shows.
                XCTAssertTrue([1, 64].contains(process.terminationStatus), "\(name): status \(process.terminationStatus): \(stderr)")
                XCTAssertTrue(stderr.contains(row.message), "\(name): \(stderr)")
                XCTAssertFalse(outputText.contains("train_loss") || stderr.contains("Fatal error"), "\(name) trained or crashed: \(outputText)\(stderr)")
            }
        }
    }
}

private extension Thread {
    /// Reads `pipe` to its end on another thread (so neither pipe fills and blocks
    /// the child); the returned function waits for the text.
    static func detachNewThreadReading(_ pipe: Pipe) -> () -> String {
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var text = ""
        Thread.detachNewThread {
            text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            done.signal()
        }
        return { done.wait(); return text }
    }
}

/// A safetensors file for `Linear(2, 1)` whose weight has `weightShape`, sparse on disk.
private func sparseCheckpoint(weightShape: [Int]) throws -> String {
    let bytes = weightShape.reduce(4, *)
    let header = Array(#"{"weight":{"dtype":"F32","shape":\#(weightShape),"data_offsets":[0,\#(bytes)]},"bias":{"dtype":"F32","shape":[1],"data_offsets":[\#(bytes),\#(bytes + 4)]}}"#.utf8)
    let path = NSTemporaryDirectory() + "nabla-hostile-\(getpid()).safetensors"
    var prefix = withUnsafeBytes(of: UInt64(header.count).littleEndian) { Array($0) }
    prefix += header
    guard FileManager.default.createFile(atPath: path, contents: Data(prefix)) else { throw DataError(path: path, problem: "cannot create") }
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    try handle.truncate(atOffset: UInt64(prefix.count + bytes + 4))
    try handle.close()
    return path
}

/// A training set of 28-pixel-square (or `side`) images with `labels` in a fresh
/// `$NABLA_DATA` (a row runs in its own process, so the setting stays there).
private func installMNIST(side: UInt32, labels: [UInt8]) throws {
    let root = NSTemporaryDirectory() + "nabla-hostile-\(getpid())"
    let folder = root + "/mnist"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    func idx(_ dimensions: [UInt32], _ payload: [UInt8]) -> Data { Data(idxBytes(dimensions: dimensions, payload: payload)) }
    let count = UInt32(labels.count)
    try idx([count, side, side], (0..<Int(count * side * side)).map { UInt8($0 % 256) }).write(to: URL(fileURLWithPath: folder + "/train-images.idx3-ubyte"))
    try idx([count], labels).write(to: URL(fileURLWithPath: folder + "/train-labels.idx1-ubyte"))
    setenv("NABLA_DATA", root, 1)
}

/// Draws `panel` as PNG, SVG and text; [1] when all three are made (the pictures'
/// pixels are checked in NablaPlotTests' DegenerateRangeTests).
private func drawn(_ panel: any Panel) throws -> [Float] {
    _ = try panel.figure().bitmap()
    _ = try panel.figure().svgText()
    _ = panel.terminalLines(width: 72, height: 16, style: .color)
    return [1]
}
