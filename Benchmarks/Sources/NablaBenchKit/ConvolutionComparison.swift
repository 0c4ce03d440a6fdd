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
/// noisy times could come out negative), the BLAS floor under them, and PyTorch's.
public struct ConvolutionRow: Codable {
    public let shape: ConvolutionShape
    public let blasForwardSeconds: Double, referenceForwardSeconds: Double
    public let blasTrainingSeconds: Double, referenceTrainingSeconds: Double
    /// Seconds of the same multiply-adds as one direct sgemm call over the whole batch on
    /// preallocated buffers: the forward product; the weight gradient's and, where training
    /// needs it, the input gradient's. What conv2d spends beyond them is copying.
    public let forwardFloorSeconds: Double, backwardFloorSeconds: Double
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
/// the share of BLAS's time that the same products take as one direct sgemm,
/// PyTorch's conv2d on the same shapes), and one CNN epoch against PyTorch's, at one thread.
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
    /// backend, and the BLAS floor under them.
    static func measure(_ shape: ConvolutionShape, budget: Double) -> ConvolutionRow {
        var generator = RandomGenerator(seed: 13)
        let x = Tensor.rand([shape.batch, shape.inChannels, shape.size, shape.size], generator: &generator)
        let weight = Tensor.rand([shape.outChannels, shape.inChannels, shape.kernel, shape.kernel], generator: &generator)
        let upstream = Tensor.rand([shape.batch, shape.outChannels, shape.outputSize, shape.outputSize], generator: &generator)
        let input = shape.inputNeedsGradient ? x.requiringGrad() : x
        let filters = weight.requiringGrad()
        let padding = Size2D(shape.padding, shape.padding)
        let stride = Size2D(shape.stride, shape.stride)
        func forward() { keep(noGrad { x.conv2d(weight, stride: stride, padding: padding) }) }
        func forwardBackward() {
            input.conv2d(filters, stride: stride, padding: padding).backward(gradient: upstream)
            filters.zeroGrad()
            input.zeroGrad()
        }
        let floor = ConvolutionFloor(shape)
        let seconds = bestSecondsPerCall([
            { calls in withBackend(.blas) { for _ in 0..<calls { forward() } } },
            { calls in withBackend(.reference) { for _ in 0..<calls { forward() } } },
            { calls in withBackend(.blas) { for _ in 0..<calls { forwardBackward() } } },
            { calls in withBackend(.reference) { for _ in 0..<calls { forwardBackward() } } },
            { calls in for _ in 0..<calls { floor.forward() } },
            { calls in for _ in 0..<calls { floor.backward() } },
        ], budget: budget)
        return ConvolutionRow(shape: shape, blasForwardSeconds: seconds[0], referenceForwardSeconds: seconds[1],
                              blasTrainingSeconds: seconds[2], referenceTrainingSeconds: seconds[3],
                              forwardFloorSeconds: seconds[4], backwardFloorSeconds: seconds[5])
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
                     "training needs it); sgemm floor %: the same products as one direct sgemm call over the whole batch on preallocated buffers, as a share of",
                     "Nabla's BLAS time (the rest is conv2d's copying: im2col or channels-last patches, transposes, col2im):"]
        if markdown { lines.append("") }
        lines.append(renderTable(
            headers: ["shape", "pass", "BLAS", "reference", "speedup", "sgemm floor %", "PyTorch", "Nabla/PyTorch time"],
            rows: rows.flatMap { row -> [[String]] in
                let s = row.shape
                func gflops(_ flops: Double, _ seconds: Double) -> String { formatFixed(flops / seconds * 1e-9, 2) }
                func ratio(_ nabla: Double, _ torch: Double?) -> String { torch.map { "×" + formatFixed(nabla / $0, 2) } ?? "" }
                return [
                    [s.text, "forward", gflops(s.forwardFLOPs, row.blasForwardSeconds), gflops(s.forwardFLOPs, row.referenceForwardSeconds),
                     "×" + formatFixed(row.referenceForwardSeconds / row.blasForwardSeconds, 2),
                     formatPercent(100 * row.forwardFloorSeconds / row.blasForwardSeconds),
                     row.pytorchForwardSeconds.map { gflops(s.forwardFLOPs, $0) } ?? "", ratio(row.blasForwardSeconds, row.pytorchForwardSeconds)],
                    [s.text, "forward+backward", gflops(s.forwardFLOPs + s.backwardFLOPs, row.blasTrainingSeconds),
                     gflops(s.forwardFLOPs + s.backwardFLOPs, row.referenceTrainingSeconds),
                     "×" + formatFixed(row.referenceTrainingSeconds / row.blasTrainingSeconds, 2),
                     formatPercent(100 * (row.forwardFloorSeconds + row.backwardFloorSeconds) / row.blasTrainingSeconds),
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

/// The products of conv2d on one shape, each as one direct sgemm call over the whole batch
/// on preallocated buffers: receptive fields `[N·L, K]` (L output positions, K = C·kh·kw),
/// filters `[K, O]` forward and `[O, K]` backward, outputs and their gradients position by channel `[N·L, O]`.
private final class ConvolutionFloor {
    let shape: ConvolutionShape
    let fields: [Float], filters: [Float], upstream: [Float]
    var output: [Float], fieldGradient: [Float], weightGradient: [Float]

    init(_ shape: ConvolutionShape) {
        self.shape = shape
        var generator = RandomGenerator(seed: 17)
        func random(_ count: Int) -> [Float] { (0..<count).map { _ in generator.nextFloat() } }
        let positions = shape.batch * shape.columns
        fields = random(positions * shape.rows)
        filters = random(shape.outChannels * shape.rows)
        upstream = random(positions * shape.outChannels)
        output = Array(repeating: 0, count: positions * shape.outChannels)
        fieldGradient = Array(repeating: 0, count: positions * shape.rows)
        weightGradient = Array(repeating: 0, count: shape.outChannels * shape.rows)
    }

    /// fields [N·L, K] · filters [K, O] (random values: only the shapes matter).
    func forward() {
        let (positions, o, k) = (Int32(shape.batch * shape.columns), Int32(shape.outChannels), Int32(shape.rows))
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, positions, o, k, 1, fields, k, filters, o, 0, &output, o)
    }

    /// dYᵀ [O, N·L] · fields [N·L, K] and, when the input needs a gradient, dY [N·L, O] · filters [O, K].
    func backward() {
        let (positions, o, k) = (Int32(shape.batch * shape.columns), Int32(shape.outChannels), Int32(shape.rows))
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, o, k, positions, 1, upstream, o, fields, k, 0, &weightGradient, k)
        if shape.inputNeedsGradient {
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, positions, k, o, 1, upstream, o, filters, k, 0, &fieldGradient, k)
        }
    }
}
