import CDirectBLAS
import Foundation
import Nabla
import NablaData
import NablaNN

/// One convolution layer of the ten-digit CNN (`DigitModel.cnn`) at one batch size.
public struct ConvolutionShape: Codable {
    public let layer: String
    public let batch: Int, inChannels: Int, outChannels: Int, size: Int, kernel: Int, stride: Int, padding: Int
    /// Whether the layer's input needs a gradient in training (not for the images).
    public let inputNeedsGradient: Bool

    var text: String { "\(layer) \(batch)×\(inChannels)×\(size)×\(size) * \(outChannels)×\(inChannels)×\(kernel)×\(kernel)\(stride > 1 ? " stride \(stride)" : "")" }
    var rows: Int { inChannels * kernel * kernel }
    var outputSize: Int { (size + 2 * padding - kernel) / stride + 1 }
    var columns: Int { outputSize * outputSize }
    /// Multiply-adds ×2 of the forward product; the backward does the weight
    /// gradient's product and, when the input needs one, the input gradient's.
    var forwardFLOPs: Double { 2 * Double(batch * outChannels * rows * columns) }
    var backwardFLOPs: Double { forwardFLOPs * (inputNeedsGradient ? 2 : 1) }

    var pythonJSON: String {
        "{\"batch\":\(batch),\"in\":\(inChannels),\"out\":\(outChannels),\"size\":\(size),\"kernel\":\(kernel),\"stride\":\(stride),\"padding\":\(padding),\"input_grad\":\(inputNeedsGradient ? "true" : "false")}"
    }

    /// The CNN's two convolutions at batch 64 and 256 (only 64 when quick).
    static func cnnShapes(quick: Bool) -> [ConvolutionShape] {
        (quick ? [64] : [64, 256]).flatMap { batch in [
            ConvolutionShape(layer: "conv1", batch: batch, inChannels: 1, outChannels: 16, size: 28, kernel: 3, stride: 1, padding: 1, inputNeedsGradient: false),
            ConvolutionShape(layer: "conv2", batch: batch, inChannels: 16, outChannels: 32, size: 14, kernel: 3, stride: 2, padding: 1, inputNeedsGradient: true),
        ] }
    }
}

/// One row of the convolution table: seconds per call of the forward pass and
/// of forward+backward on each backend (timed as such: a difference of two
/// noisy times could come out negative), where BLAS's time goes, and PyTorch's.
public struct ConvolutionRow: Codable {
    public let shape: ConvolutionShape
    public let blasForwardSeconds: Double, referenceForwardSeconds: Double
    public let blasTrainingSeconds: Double, referenceTrainingSeconds: Double
    /// Seconds of the same sgemm calls made directly, and of im2col (unfold) / col2im (fold) alone.
    public let forwardGemmSeconds: Double, im2colSeconds: Double
    public let backwardGemmSeconds: Double, col2imSeconds: Double
    public var pytorchForwardSeconds: Double?
    public var pytorchTrainingSeconds: Double?
}

/// The ten-digit CNN trained for a number of batches on MNIST, one thread, Nabla against PyTorch.
public struct CNNPassComparison: Codable {
    public let batches: Int
    public let batchSize: Int
    public let nablaSeconds: Double
    /// The same batches at two OpenBLAS threads, when the machine has two CPUs.
    public var nablaTwoThreadSeconds: Double?
    public var pytorchSeconds: Double?
    public var ratio: Double? { pytorchSeconds.map { nablaSeconds / $0 } }
    /// Two threads' time over one thread's.
    public var twoThreadRatio: Double? { nablaTwoThreadSeconds.map { $0 / nablaSeconds } }
}

/// conv2d forward and backward on the CNN's shapes (GFLOP/s on both backends,
/// the share of BLAS's time in sgemm and in im2col/col2im, PyTorch's conv2d on
/// the same shapes), and one CNN epoch against PyTorch's, at one thread.
public struct ConvolutionComparison: Codable {
    public var rows: [ConvolutionRow]
    public var cnn: CNNPassComparison?
    public var notes: [String]

    public static func measure(python: String, script: String, quick: Bool, budget: Double, log: (String) -> Void) -> ConvolutionComparison {
        let previousThreads = Nabla.threadCount
        Nabla.setThreadCount(1)
        defer { Nabla.setThreadCount(previousThreads) }
        var rows = ConvolutionShape.cnnShapes(quick: quick).map { shape -> ConvolutionRow in
            log("convolution: \(shape.text)")
            return measure(shape, budget: budget)
        }
        var notes: [String] = []
        let batchSize = 128
        // Quick: at most 60 batches, about an eighth of the epoch; else the epoch. Either
        // stops at the batch that ends the time budget, and the others train as many.
        let batches = quick ? 60 : 0
        let cnnBudget = quick ? 4.0 : 12.0
        var cnn: CNNPassComparison?
        do {
            log("convolution: the CNN, \(batches == 0 ? "one epoch" : "\(batches) batches") of \(batchSize) or \(formatFixed(cnnBudget, 0)) s, Nabla")
            cnn = try nablaCNNPass(batches: batches, batchSize: batchSize, budget: cnnBudget)
            if ProcessInfo.processInfo.activeProcessorCount >= 2, let count = cnn?.batches {
                log("convolution: the same \(count) batches at 2 OpenBLAS threads")
                Nabla.setThreadCount(2)
                cnn?.nablaTwoThreadSeconds = try nablaCNNPass(batches: count, batchSize: batchSize, budget: .infinity).nablaSeconds
                Nabla.setThreadCount(1)
            }
        } catch { notes.append("Nabla's CNN pass skipped: \(error)") }
        if (try? runChildProcess([python, "-c", "import torch"]))?.status == 0 {
            log("convolution: PyTorch's conv2d and CNN (\(script))")
            do {
                let shapes = "[" + rows.map(\.shape.pythonJSON).joined(separator: ",") + "]"
                let command = [python, script, "--threads", "1", "--shapes", shapes, "--batch-size", "\(batchSize)",
                               "--cnn-batches", cnn == nil ? "-1" : "\(cnn!.batches)"]
                let result = try runChildProcess(command)
                guard result.status == 0,
                      let json = try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any],
                      let convolutions = json["convolutions"] as? [[String: Double]], convolutions.count == rows.count else {
                    throw ChildProcessError(command: command, problem: "exited with status \(result.status) without the expected JSON: \(result.standardError.suffix(2000))")
                }
                for (index, figures) in convolutions.enumerated() {
                    rows[index].pytorchForwardSeconds = figures["forward_seconds"]
                    rows[index].pytorchTrainingSeconds = figures["forward_backward_seconds"]
                }
                cnn?.pytorchSeconds = (json["cnn"] as? [String: Any])?["seconds"] as? Double
            } catch { notes.append("PyTorch's convolutions failed: \(error)") }
        } else {
            notes.append("PyTorch comparison skipped: `\(python) -c 'import torch'` fails")
        }
        return ConvolutionComparison(rows: rows, cnn: cnn, notes: notes)
    }

    /// Times one shape: Nabla's forward (under noGrad) and forward+backward on each
    /// backend, and the parts of BLAS's work alone.
    static func measure(_ shape: ConvolutionShape, budget: Double) -> ConvolutionRow {
        var generator = RandomGenerator(seed: 13)
        let x = Tensor.rand([shape.batch, shape.inChannels, shape.size, shape.size], generator: &generator)
        let weight = Tensor.rand([shape.outChannels, shape.inChannels, shape.kernel, shape.kernel], generator: &generator)
        let upstream = Tensor.rand([shape.batch, shape.outChannels, shape.outputSize, shape.outputSize], generator: &generator)
        let input = shape.inputNeedsGradient ? x.requiringGrad() : x
        let filters = weight.requiringGrad()
        let padding = Size2D(shape.padding, shape.padding), kernel = Size2D(shape.kernel, shape.kernel)
        let stride = Size2D(shape.stride, shape.stride)
        func forward() { keep(noGrad { x.conv2d(weight, stride: stride, padding: padding) }) }
        func forwardBackward() {
            input.conv2d(filters, stride: stride, padding: padding).backward(gradient: upstream)
            filters.zeroGrad()
            input.zeroGrad()
        }
        let columns = x.unfold(kernelSize: kernel, stride: stride, padding: padding)
        let gemms = ConvolutionGemms(shape)
        let seconds = bestSecondsPerCall([
            { calls in withBackend(.blas) { for _ in 0..<calls { forward() } } },
            { calls in withBackend(.reference) { for _ in 0..<calls { forward() } } },
            { calls in withBackend(.blas) { for _ in 0..<calls { forwardBackward() } } },
            { calls in withBackend(.reference) { for _ in 0..<calls { forwardBackward() } } },
            { calls in for _ in 0..<calls { gemms.forward() } },
            { calls in for _ in 0..<calls { keep(x.unfold(kernelSize: kernel, stride: stride, padding: padding)) } },
            { calls in for _ in 0..<calls { gemms.backward() } },
            { calls in
                for _ in 0..<calls where shape.inputNeedsGradient {
                    keep(columns.fold(outputSize: Size2D(shape.size, shape.size), kernelSize: kernel, stride: stride, padding: padding))
                }
            },
        ], budget: budget)
        return ConvolutionRow(shape: shape, blasForwardSeconds: seconds[0], referenceForwardSeconds: seconds[1],
                              blasTrainingSeconds: seconds[2], referenceTrainingSeconds: seconds[3],
                              forwardGemmSeconds: seconds[4], im2colSeconds: seconds[5],
                              backwardGemmSeconds: seconds[6], col2imSeconds: shape.inputNeedsGradient ? seconds[7] : 0)
    }

    /// The CNN trained with Adam (lr 1e-3) and cross-entropy on shuffled MNIST
    /// training batches, as `pytorch/convolution.py` trains torch's; `batches` 0 is one epoch.
    /// Stops after the batch that reaches `budget` seconds, and says how many it trained.
    static func nablaCNNPass(batches: Int, batchSize: Int, budget: Double) throws -> CNNPassComparison {
        let mnist = try Datasets.mnist(split: .train)
        let pixels = mnist.images
        let mean = pixels.mean().item, deviation = ((pixels - mean).square().mean().item).squareRoot()
        let images = ((pixels - mean) / deviation).unsqueeze(axis: 1)
        var generator = RandomGenerator(seed: 0)
        let model = DigitModel.cnn.make(generator: &generator)
        let optimizer = Adam(model.parameters, learningRate: 1e-3)
        let loader = DataLoader(inputs: images, targets: mnist.labels, batchSize: batchSize, shuffle: true, seed: 1)
        let count = batches == 0 ? loader.batchCount : min(batches, loader.batchCount)
        model.train()
        let start = monotonicSeconds()
        var trained = 0
        for batch in loader {
            crossEntropy(model(batch.inputs), batch.targets).backward()
            optimizer.step()
            optimizer.zeroGrad()
            trained += 1
            if trained == count || monotonicSeconds() - start >= budget { break }
        }
        return CNNPassComparison(batches: trained, batchSize: batchSize, nablaSeconds: monotonicSeconds() - start)
    }

    /// The report's lines: the table, the CNN pass, the notes.
    func lines(markdown: Bool) -> [String] {
        var lines = ["", "conv2d at one thread on the CNN's shapes, GFLOP/s of its products (forward+backward adds the weight gradient's, and the input gradient's where",
                     "training needs it); sgemm % and im2col/col2im %: the same sgemm calls made directly, and unfold (+ fold), as shares of Nabla's BLAS time:"]
        if markdown { lines.append("") }
        lines.append(renderTable(
            headers: ["shape", "pass", "BLAS", "reference", "speedup", "sgemm %", "im2col/col2im %", "PyTorch", "Nabla/PyTorch time"],
            rows: rows.flatMap { row -> [[String]] in
                let s = row.shape
                func gflops(_ flops: Double, _ seconds: Double) -> String { formatFixed(flops / seconds * 1e-9, 2) }
                func ratio(_ nabla: Double, _ torch: Double?) -> String { torch.map { "×" + formatFixed(nabla / $0, 2) } ?? "" }
                return [
                    [s.text, "forward", gflops(s.forwardFLOPs, row.blasForwardSeconds), gflops(s.forwardFLOPs, row.referenceForwardSeconds),
                     "×" + formatFixed(row.referenceForwardSeconds / row.blasForwardSeconds, 2),
                     formatPercent(100 * row.forwardGemmSeconds / row.blasForwardSeconds), formatPercent(100 * row.im2colSeconds / row.blasForwardSeconds),
                     row.pytorchForwardSeconds.map { gflops(s.forwardFLOPs, $0) } ?? "", ratio(row.blasForwardSeconds, row.pytorchForwardSeconds)],
                    [s.text, "forward+backward", gflops(s.forwardFLOPs + s.backwardFLOPs, row.blasTrainingSeconds),
                     gflops(s.forwardFLOPs + s.backwardFLOPs, row.referenceTrainingSeconds),
                     "×" + formatFixed(row.referenceTrainingSeconds / row.blasTrainingSeconds, 2),
                     formatPercent(100 * (row.forwardGemmSeconds + row.backwardGemmSeconds) / row.blasTrainingSeconds),
                     formatPercent(100 * (row.im2colSeconds + row.col2imSeconds) / row.blasTrainingSeconds),
                     row.pytorchTrainingSeconds.map { gflops(s.forwardFLOPs + s.backwardFLOPs, $0) } ?? "",
                     ratio(row.blasTrainingSeconds, row.pytorchTrainingSeconds)],
                ]
            },
            leftAligned: [0, 1], markdown: markdown))
        if let cnn {
            lines.append("")
            let what = "The CNN (DigitModel.cnn, Adam lr 1e-3, cross-entropy), \(cnn.batches) batches of \(cnn.batchSize) MNIST training images, one thread"
            let torch = cnn.pytorchSeconds.map { ", PyTorch \(formatFixed($0, 2)) s (warmed up): Nabla/PyTorch time ×\(formatFixed(cnn.nablaSeconds / $0, 2))" } ?? ""
            let two = cnn.nablaTwoThreadSeconds.map { "; at 2 OpenBLAS threads \(formatFixed($0, 2)) s, ×\(formatFixed($0 / cnn.nablaSeconds, 2)) the one-thread time" } ?? ""
            lines.append("\(what): Nabla \(formatFixed(cnn.nablaSeconds, 2)) s\(torch)\(two)")
        }
        lines += notes.map { (markdown ? "- " : "") + $0 }
        return lines
    }
}

/// The sgemm calls conv2d makes on one shape, on preallocated buffers, called directly.
private final class ConvolutionGemms {
    let shape: ConvolutionShape
    let weight: [Float], columns: [Float], upstream: [Float]
    var output: [Float], columnGradient: [Float], weightGradient: [Float]

    init(_ shape: ConvolutionShape) {
        self.shape = shape
        var generator = RandomGenerator(seed: 17)
        func random(_ count: Int) -> [Float] { (0..<count).map { _ in generator.nextFloat() } }
        weight = random(shape.outChannels * shape.rows)
        columns = random(shape.batch * shape.rows * shape.columns)
        upstream = random(shape.batch * shape.outChannels * shape.columns)
        output = Array(repeating: 0, count: shape.outChannels * shape.columns)
        columnGradient = Array(repeating: 0, count: shape.rows * shape.columns)
        weightGradient = Array(repeating: 0, count: shape.outChannels * shape.rows)
    }

    /// W [O, K] · columnsₙ [K, L] for each sample.
    func forward() {
        let (o, k, l) = (Int32(shape.outChannels), Int32(shape.rows), Int32(shape.columns))
        for n in 0..<shape.batch {
            columns.withUnsafeBufferPointer { c in
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, o, l, k, 1, weight, k,
                            c.baseAddress! + n * shape.rows * shape.columns, l, 0, &output, l)
            }
        }
    }

    /// Wᵀ · dYₙ (when the input needs a gradient) and Σ dYₙ · columnsₙᵀ.
    func backward() {
        let (o, k, l) = (Int32(shape.outChannels), Int32(shape.rows), Int32(shape.columns))
        for n in 0..<shape.batch {
            upstream.withUnsafeBufferPointer { g in
                columns.withUnsafeBufferPointer { c in
                    let gn = g.baseAddress! + n * shape.outChannels * shape.columns
                    if shape.inputNeedsGradient {
                        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, k, l, o, 1, weight, k, gn, l, 0, &columnGradient, l)
                    }
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, o, k, l, 1, gn, l,
                                c.baseAddress! + n * shape.rows * shape.columns, l, n == 0 ? 0 : 1, &weightGradient, k)
                }
            }
        }
    }
}
