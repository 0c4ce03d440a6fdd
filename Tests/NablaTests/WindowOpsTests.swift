import Foundation
import XCTest
import NablaTestSupport
@testable import Nabla
import NablaTestSupport

/// conv2d, unfold/fold, pooling, batch norm and dropout: hand values, gradient
/// checks and PyTorch's float64 results (Fixtures/window_ops_reference.json), on both backends.
final class WindowOpsTests: XCTestCase {
    func testConv2dHandValues() {
        forEachBackend { kind in
            let x = Tensor(shape: [1, 1, 3, 3], scalars: (1...9).map(Float.init))
            let diagonal = Tensor(shape: [1, 1, 2, 2], scalars: [1, 0, 0, 1])
            XCTAssertEqual(x.conv2d(diagonal).scalars, [6, 8, 12, 14], "\(kind)")
            // Padding 1, stride 2, bias 10: the corners of the padded 5×5 plane.
            XCTAssertEqual(x.conv2d(diagonal, bias: Tensor([10]), stride: 2, padding: 1).scalars, [11, 13, 17, 24], "\(kind)")
            // Dilation 2 makes the 2×2 kernel read the plane's corners: 1 + 9.
            XCTAssertEqual(x.conv2d(diagonal, dilation: 2).scalars, [10], "\(kind)")
            // Two input channels summed, two filters.
            let twoChannels = Tensor.cat([x, x * 2], axis: 1)
            let filters = Tensor(shape: [2, 2, 1, 1], scalars: [1, 1, 1, -1])
            let out = twoChannels.conv2d(filters)
            XCTAssertEqual(out.shape, [1, 2, 3, 3])
            XCTAssertEqual(out.scalars, (1...9).map { Float($0 * 3) } + (1...9).map { Float(-$0) }, "\(kind)")
        }
    }

    /// conv2d's kernel copies the receptive fields in one of two layouts; channels-last patches of the
    /// NHWC sample hold exactly im2col's columns, transposed and ordered (ki, kj, c), and adding them
    /// back is col2im (integer values make every sum exact, whatever its order).
    func testChannelsLastPatchesAreIm2colsColumnsReordered() {
        let cases: [(channels: Int, height: Int, width: Int, kernel: Size2D, stride: Size2D, padding: Size2D, dilation: Size2D)] = [
            (16, 14, 14, 3, 2, 1, 1), (3, 7, 6, Size2D(3, 2), 2, 1, 1), (2, 6, 7, 2, Size2D(1, 2), Size2D(0, 2), 2),
            (1, 5, 5, 3, 1, 2, 1), (4, 3, 3, 5, 1, 2, 1),
        ]
        for c in cases {
            let geometry = WindowGeometry(op: "test", channels: c.channels, height: c.height, width: c.width, kernel: c.kernel,
                                          stride: c.stride, padding: c.padding, dilation: c.dilation)
            let plane = geometry.planeCount, rows = geometry.columnRows, length = geometry.columnLength
            let area = c.kernel.height * c.kernel.width
            let image = (0..<c.channels * plane).map { Double($0 % 23) - 11 }
            var nhwc = [Double](repeating: 0, count: image.count), columns = [Double](repeating: 0, count: rows * length)
            var patches = [Double](repeating: .nan, count: rows * length)
            ReferenceBackend().transpose(rows: c.channels, columns: plane, a: image, b: &nhwc)
            geometry.im2col(image, into: &columns)
            geometry.gatherPatches(nhwc, into: &patches)
            var reordered = [Double](repeating: .nan, count: rows * length)
            for channel in 0..<c.channels {
                for position in 0..<area {
                    for l in 0..<length { reordered[l * rows + position * c.channels + channel] = columns[(channel * area + position) * length + l] }
                }
            }
            XCTAssertEqual(patches, reordered, "\(c)")
            var folded = [Double](repeating: 0, count: image.count), added = [Double](repeating: 0, count: image.count)
            var addedNCHW = [Double](repeating: 0, count: image.count)
            geometry.col2im(columns, into: &folded)
            geometry.addPatches(patches, into: &added)
            ReferenceBackend().transpose(rows: plane, columns: c.channels, a: added, b: &addedNCHW)
            XCTAssertEqual(addedNCHW, folded, "\(c)")
        }
    }

    /// The layout is the kernel's choice, by the runs each copies: the CNN's first layer
    /// (one channel, stride 1) copies output rows, its second (16 channels, stride 2) kernel rows of channels.
    func testConvolutionPicksTheLayoutWithTheLongerRuns() {
        func layout(_ channels: Int, _ size: Int, kernel: Size2D = 3, stride: Size2D = 1, padding: Size2D = 1, groups: Int = 1) -> ColumnLayout {
            WindowGeometry(op: "test", channels: channels, height: size, width: size, kernel: kernel, stride: stride, padding: padding,
                           dilation: 1).columnLayout(groups: groups)
        }
        XCTAssertEqual(layout(1, 28), .channelsFirst)
        XCTAssertEqual(layout(16, 14, stride: 2), .channelsLast)
        XCTAssertEqual(layout(64, 56), .channelsLast)
        XCTAssertEqual(layout(3, 224), .channelsFirst)
        XCTAssertEqual(layout(16, 14, kernel: 1, padding: 0), .channelsFirst, "a 1×1 kernel at stride 1 reads the input itself")
        XCTAssertEqual(layout(16, 14, stride: 2, groups: 2), .channelsFirst, "groups are blocks of im2col's rows")
    }

    /// conv2d runs in blocks of samples, in both layouts (here 3 blocks each); each sample's output
    /// and input gradient are its own conv2d's, and the weight gradient is the sum over samples.
    func testConv2dInBlocksOfSamplesMatchesEachSample() {
        for (image, filterShape) in [([7, 8, 16, 16], [16, 8, 3, 3]), ([3, 1, 64, 64], [16, 1, 3, 3])] {
            let x = randomTensor(image, seed: 11).to(.float64), w = randomTensor(filterShape, seed: 12).to(.float64)
            let geometry = WindowGeometry(op: "test", channels: image[1], height: image[2], width: image[3], kernel: 3, stride: 1,
                                          padding: 1, dilation: 1)
            XCTAssertEqual(SampleBlocks(batch: image[0], multiplyAddsPerSample: filterShape[0] * geometry.columnRows * geometry.columnLength).count, 3)
            forEachBackend { kind in
                let input = x.requiringGrad(), filters = w.requiringGrad()
                let out = input.conv2d(filters, padding: 1)
                let upstream = randomTensor(out.shape, seed: 13).to(.float64)
                out.backward(gradient: upstream)
                var weightGradient = Tensor.zeros(w.shape, dtype: .float64)
                for n in 0..<image[0] {
                    let sample = x[n..<n + 1].requiringGrad(), sampleFilters = w.requiringGrad()
                    let sampleOut = sample.conv2d(sampleFilters, padding: 1)
                    sampleOut.backward(gradient: upstream[n..<n + 1])
                    let what = "sample \(n) of \(image) (\(geometry.columnLayout(groups: 1))) on \(kind)"
                    XCTAssertTrue(out[n..<n + 1].allClose(sampleOut, relativeTolerance: 1e-12, absoluteTolerance: 1e-12), "output of \(what)")
                    XCTAssertTrue(input.grad![n..<n + 1].allClose(sample.grad!, relativeTolerance: 1e-12, absoluteTolerance: 1e-12),
                                  "input gradient of \(what)")
                    weightGradient = weightGradient + sampleFilters.grad!
                }
                XCTAssertTrue(filters.grad!.allClose(weightGradient, relativeTolerance: 1e-12, absoluteTolerance: 1e-12),
                              "weight gradient of \(image) on \(kind)")
            }
        }
    }

    /// The blocks run on the worker pool at two threads; every result, the weight gradient's
    /// sum over blocks too, is bit for bit the one-thread result, in both layouts.
    func testConv2dGivesTheSameBitsAtOneAndTwoThreads() {
        let previous = Nabla.threadCount
        defer { Nabla.setThreadCount(previous) }
        for (image, filterShape, stride) in [([16, 16, 14, 14], [32, 16, 3, 3], 2), ([16, 1, 28, 28], [16, 1, 3, 3], 1)] {
            let x = randomTensor(image, seed: 21), w = randomTensor(filterShape, seed: 22)
            let stride = Size2D(stride, stride)
            func run(threads: Int) -> [Tensor] {
                Nabla.setThreadCount(threads)
                let input = x.requiringGrad(), filters = w.requiringGrad()
                let out = input.conv2d(filters, stride: stride, padding: 1)
                out.backward(gradient: randomTensor(out.shape, seed: 23))
                return [out, input.grad!, filters.grad!]
            }
            let one = run(threads: 1), two = run(threads: 2)
            for (a, b) in zip(one, two) { XCTAssertEqual(a.scalars, b.scalars, "\(image) * \(filterShape)") }
        }
    }

    func testUnfoldAndFoldAreIm2colAndCol2im() {
        forEachBackend { kind in
            let x = Tensor(shape: [1, 1, 3, 3], scalars: (1...9).map(Float.init))
            let columns = x.unfold(kernelSize: 2)
            XCTAssertEqual(columns.shape, [1, 4, 4])
            XCTAssertEqual(columns.scalars, [1, 2, 4, 5, 2, 3, 5, 6, 4, 5, 7, 8, 5, 6, 8, 9], "\(kind)")
            // fold adds each position once per window that covers it: the centre is in all four.
            XCTAssertEqual(columns.fold(outputSize: 3, kernelSize: 2).scalars, [1, 4, 3, 8, 20, 12, 7, 16, 9], "\(kind)")
        }
    }

    func testPoolingHandValues() {
        forEachBackend { kind in
            let x = Tensor(shape: [1, 1, 4, 4], scalars: [1, 5, 2, 0,
                                                          3, 4, 8, 1,
                                                          0, 0, -1, -2,
                                                          9, 0, -3, -4])
            XCTAssertEqual(x.maxPool2d(kernelSize: 2).scalars, [5, 8, 9, -1], "\(kind)")
            XCTAssertEqual(x.avgPool2d(kernelSize: 2).scalars, [3.25, 2.75, 2.25, -2.5], "\(kind)")
            XCTAssertEqual(x.adaptiveAvgPool2d(outputSize: 1).scalars, [1.4375], "\(kind)")
            // Padding is −∞ for max pooling, 0 (counted or not) for average pooling.
            let corner = Tensor(shape: [1, 1, 2, 2], scalars: [-1, -2, -3, -4])
            XCTAssertEqual(corner.maxPool2d(kernelSize: 2, stride: 1, padding: 1).scalars, [-1, -1, -2, -1, -1, -2, -3, -3, -4], "\(kind)")
            XCTAssertEqual(corner.avgPool2d(kernelSize: 2, padding: 1).scalars, [-0.25, -0.5, -0.75, -1], "\(kind)")
            XCTAssertEqual(corner.avgPool2d(kernelSize: 2, padding: 1, countIncludePad: false).scalars, [-1, -2, -3, -4], "\(kind)")
            // The max pool gradient goes to each window's maximum only.
            let leaf = x.requiringGrad()
            leaf.maxPool2d(kernelSize: 2).sum().backward()
            XCTAssertEqual(leaf.grad!.scalars, [0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 0, 0, 0], "\(kind)")
        }
    }

    /// float32's 2×2 stride-2 max pool runs four outputs at a time on selects (a last group overlapping
    /// the one before it; a row of fewer than four scalar); float64 scans each window in order. Values
    /// from {0, 1, 2, NaN} put ties and NaNs in every lane: both must pick the same winners (the first
    /// maximum, the last NaN), and send the gradient there (nothing to an odd last row or column).
    func testFloat32PairPoolingPicksTheScansWinners() {
        for width in [23, 7] {
            let outWidth = width / 2, outputs = 2 * 3 * outWidth
            let values: [Float] = (0..<(2 * 7 * width)).map { i in
                let k = (i * 7 + i / 5) % 9
                return k == 0 ? .nan : Float(k % 3)
            }
            let single = Tensor(shape: [1, 2, 7, width], scalars: values).requiringGrad()
            let double = Tensor(shape: [1, 2, 7, width], scalars: values).to(.float64).requiringGrad()
            let pooled = single.maxPool2d(kernelSize: 2), reference = double.maxPool2d(kernelSize: 2)
            XCTAssertEqual(pooled.shape, [1, 2, 3, outWidth])
            func marked(_ scalars: [Float]) -> [Float] { scalars.map { $0.isNaN ? -1 : $0 } }
            XCTAssertEqual(marked(pooled.scalars), marked(reference.to(.float32).scalars), "width \(width)")
            XCTAssertTrue(pooled.scalars.contains { $0.isNaN } && pooled.scalars.contains { !$0.isNaN }, "the pattern must give NaN and numeric windows")
            let upstream = Tensor(shape: [1, 2, 3, outWidth], scalars: (1...outputs).map { Float($0) })
            pooled.backward(gradient: upstream)
            reference.backward(gradient: upstream.to(.float64))
            XCTAssertEqual(single.grad!.scalars, double.grad!.to(.float32).scalars, "width \(width)")
            XCTAssertEqual(single.grad!.scalars.filter { $0 != 0 }.count, outputs, "each window's gradient goes to one position")
        }
    }

    /// Issue 24: with dilation a window can lie wholly in the padding. It has no
    /// maximum's position, and max pooling used that "none" (−1) as an offset:
    /// the gradient [1, 0] and a write before the gradient buffer (heap
    /// corruption, caught by ASan). PyTorch: −∞ and no gradient.
    func testAWindowWhollyInThePaddingPassesNoGradient() {
        forEachBackend { kind in
            let pair = Tensor(shape: [1, 2, 1, 1], scalars: [1, 2]).requiringGrad()
            let pooled = pair.maxPool2d(kernelSize: 2, stride: 2, padding: 1, dilation: 2)
            XCTAssertEqual(pooled.scalars, [-.infinity, -.infinity], "\(kind)")
            pooled.sum().backward()
            XCTAssertEqual(pair.grad!.scalars, [0, 0], "\(kind)")
            // Dilation 3 on a 3×3 plane: the one window reads (−1, −1) … (2, 2), of which only 9 is inside.
            let plane = Tensor(shape: [1, 1, 3, 3], scalars: (1...9).map(Float.init)).requiringGrad()
            let corner = plane.maxPool2d(kernelSize: 2, stride: 2, padding: 1, dilation: 3)
            XCTAssertEqual(corner.scalars, [9], "\(kind)")
            corner.sum().backward()
            XCTAssertEqual(plane.grad!.scalars, [0, 0, 0, 0, 0, 0, 0, 0, 1], "\(kind)")
            // The column ops read and write nothing for such a window (torch: zeros).
            let single = Tensor(shape: [1, 1, 1, 1], scalars: [5]).requiringGrad(), ones = Tensor.ones([1, 1, 2, 2]).requiringGrad()
            let convolved = single.conv2d(ones, padding: 1, dilation: 2)
            XCTAssertEqual(convolved.scalars, [0], "\(kind)")
            convolved.sum().backward()
            XCTAssertEqual(single.grad!.scalars, [0], "\(kind)")
            XCTAssertEqual(ones.grad!.scalars, [0, 0, 0, 0], "\(kind)")
            XCTAssertEqual(single.unfold(kernelSize: 2, padding: 1, dilation: 2).scalars, [0, 0, 0, 0], "\(kind)")
            XCTAssertEqual(Tensor.ones([1, 4, 1]).fold(outputSize: 1, kernelSize: 2, padding: 1, dilation: 2).scalars, [0], "\(kind)")
        }
    }

    func testBatchNormHandValuesAndRunningStatistics() {
        forEachBackend { kind in
            // Channel 0 holds 1 and 3, channel 1 holds 4 and 6: each has biased variance 1.
            let x = Tensor(shape: [2, 2, 1, 1], scalars: [1, 4, 3, 6])
            var mean = Tensor.zeros([2]), variance = Tensor.ones([2])
            let y = x.batchNorm(runningMean: &mean, runningVariance: &variance, weight: Tensor([2, 1]), bias: Tensor([0, 5]),
                                training: true, momentum: 0.5, epsilon: 0)
            XCTAssertEqual(y.scalars, [-2, 4, 2, 6], "\(kind)")
            XCTAssertEqual(mean.scalars, [1, 2.5], "\(kind)")
            // The unbiased variance, 2, blended half and half with 1.
            XCTAssertEqual(variance.scalars, [1.5, 1.5], "\(kind)")
            // Evaluation uses the running statistics and leaves them alone.
            let eval = x.batchNorm(runningMean: &mean, runningVariance: &variance, weight: nil, bias: nil, training: false, epsilon: 0)
            assertClose(eval.scalars, [0, 1.5, 2, 3.5].map { $0 / Float(1.5).squareRoot() })
            XCTAssertEqual(mean.scalars, [1, 2.5])
        }
    }

    func testDropoutScalesSurvivorsAndIsTheIdentityInEvaluation() {
        var generator = RandomGenerator(seed: 5)
        let x = Tensor.ones([10_000])
        XCTAssertEqual(x.dropout(probability: 0.3, training: false, generator: &generator).scalars, x.scalars)
        let dropped = x.dropout(probability: 0.3, training: true, generator: &generator).scalars
        XCTAssertTrue(dropped.allSatisfy { $0 == 0 || $0 == 1 / Float(0.7) })
        let zeroFraction = Float(dropped.filter { $0 == 0 }.count) / Float(dropped.count)
        XCTAssertEqual(zeroFraction, 0.3, accuracy: 0.02)
        XCTAssertEqual(x.dropout(probability: 1, training: true, generator: &generator).scalars.max(), 0)
        // The gradient is the mask: zero where dropped, 1/(1 − p) where kept.
        let leaf = Tensor.ones([100], requiresGrad: true)
        let out = leaf.dropout(probability: 0.5, training: true, generator: &generator)
        out.sum().backward()
        XCTAssertEqual(leaf.grad!.scalars, out.scalars)
    }

    func testBadShapesFailWithTheOpAndShapes() {
        let x = Tensor.zeros([1, 3, 5, 5])
        assertFails("conv2d: the weight [4, 2, 3, 3] expects 2 input channels but the input [1, 3, 5, 5] has 3") { _ = x.conv2d(Tensor.zeros([4, 2, 3, 3])) }
        assertFails("conv2d: the input must be [N, C, H, W], got [3, 5, 5]") { _ = Tensor.zeros([3, 5, 5]).conv2d(Tensor.zeros([4, 3, 3, 3])) }
        assertFails("conv2d: the input plane 5×5 padded by (0, 0) is smaller than the kernel (7, 7)") { _ = x.conv2d(Tensor.zeros([1, 3, 7, 7])) }
        assertFails("conv2d: stride (0, 0) must be positive") { _ = x.conv2d(Tensor.zeros([1, 3, 3, 3]), stride: 0) }
        assertFails("maxPool2d: padding (2, 2) should be at most half of the kernel size (3, 3)") { _ = x.maxPool2d(kernelSize: 3, padding: 2) }
        assertFails("batchNorm: the weight must be [3]") { _ = x.batchNorm(weight: Tensor.ones([2]), bias: nil) }
        assertFails("batchNorm: expected more than 1 value per channel when training") { _ = Tensor.zeros([1, 3]).batchNorm(weight: nil, bias: nil) }
        var generator = RandomGenerator(seed: 1)
        assertFails("dropout: probability has to be between 0 and 1, but got 1.5") { _ = x.dropout(probability: 1.5, training: true, generator: &generator) }
    }

    func testGradientsMatchFiniteDifferences() {
        let x = randomTensor([2, 2, 5, 4], seed: 1), w = randomTensor([3, 2, 3, 2], seed: 2), b = randomTensor([3], seed: 3)
        assertGradientsMatch([x, w, b], "conv2d") { $0[0].conv2d($0[1], bias: $0[2], stride: Size2D(2, 1), padding: 1, dilation: Size2D(1, 2)) }
        assertGradientsMatch([x, randomTensor([4, 2, 1, 1], seed: 4)], "conv2d 1×1") { $0[0].conv2d($0[1]) }
        assertGradientsMatch([x], "unfold") { $0[0].unfold(kernelSize: Size2D(2, 3), stride: 1, padding: 1) }
        assertGradientsMatch([randomTensor([1, 6, 8], seed: 5)], "fold") { $0[0].fold(outputSize: Size2D(3, 4), kernelSize: Size2D(2, 3), padding: Size2D(0, 1)) }
        // Distinct values keep every window's maximum away from a tie.
        var generator = RandomGenerator(seed: 6)
        let distinct = Tensor(shape: [1, 2, 5, 4], scalars: generator.permutation(40).map { Float($0) * 0.1 })
        assertGradientsMatch([distinct], "maxPool2d") { $0[0].maxPool2d(kernelSize: 3, stride: 2, padding: 1) }
        assertGradientsMatch([x], "avgPool2d") { $0[0].avgPool2d(kernelSize: 2, stride: 1, padding: 1, countIncludePad: false) }
        assertGradientsMatch([x], "adaptiveAvgPool2d") { $0[0].adaptiveAvgPool2d(outputSize: Size2D(2, 3)) }
        let gamma = randomTensor([2], seed: 7), beta = randomTensor([2], seed: 8)
        assertGradientsMatch([x, gamma, beta], "batchNorm training") { $0[0].batchNorm(weight: $0[1], bias: $0[2]) }
        assertGradientsMatch([x, gamma, beta], "batchNorm evaluation") { inputs in
            var mean = Tensor([0.5, -0.5]), variance = Tensor([2, 0.5])
            return inputs[0].batchNorm(runningMean: &mean, runningVariance: &variance, weight: inputs[1], bias: inputs[2], training: false)
        }
    }

    func testAgreesWithPyTorch() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/window_ops_reference.json")
        let reference = try JSONDecoder().decode(WindowOpsReference.self, from: Data(contentsOf: url))
        XCTAssertEqual(reference.cases.count, 16)
        for testCase in reference.cases {
            forEachBackend { kind in
                let leaves = testCase.inputs.map { Tensor(shape: $0.shape, scalars: $0.values.map(Float.init), requiresGrad: true) }
                var runningMean = Tensor(testCase.floats("runningMean")), runningVariance = Tensor(testCase.floats("runningVariance"))
                let out = testCase.apply(leaves, runningMean: &runningMean, runningVariance: &runningVariance)
                let label = "\(testCase.name) on \(kind)"
                assertClose(out.scalars, testCase.output.values.map(Float.init), tolerance: 2e-5, label)
                XCTAssertEqual(out.shape, testCase.output.shape, label)
                (out * Tensor(shape: out.shape, scalars: testCase.upstream.map(Float.init))).sum().backward()
                for (index, (leaf, expected)) in zip(leaves, testCase.inputs).enumerated() {
                    assertClose(leaf.grad?.scalars ?? [], expected.grad.map(Float.init), tolerance: 1e-4, "\(label) gradient \(index)")
                }
                if testCase.op == "batchNorm" {
                    assertClose(runningMean.scalars, testCase.floats("updatedRunningMean"), tolerance: 1e-5, label)
                    assertClose(runningVariance.scalars, testCase.floats("updatedRunningVariance"), tolerance: 1e-5, label)
                }
            }
        }
    }
}

/// The layout that Fixtures/make_window_ops_reference.py writes.
private struct WindowOpsReference: Decodable {
    struct Values: Decodable {
        let shape: [Int]
        let values: [Double]
    }
    struct Input: Decodable {
        let shape: [Int]
        let values: [Double]
        let grad: [Double]
    }
    enum Parameter: Decodable {
        case number(Double), numbers([Double]), flag(Bool)
        init(from decoder: Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let flag = try? container.decode(Bool.self) { self = .flag(flag) }
            else if let number = try? container.decode(Double.self) { self = .number(number) }
            else { self = .numbers(try container.decode([Double].self)) }
        }
    }
    struct Case: Decodable {
        let name: String
        let op: String
        let params: [String: Parameter]
        let inputs: [Input]
        let output: Values
        let upstream: [Double]

        func floats(_ key: String) -> [Float] {
            if case .numbers(let values)? = params[key] { return values.map(Float.init) }
            return []
        }
        func size(_ key: String) -> Size2D {
            let values = floats(key).map(Int.init)
            return Size2D(values[0], values[1])
        }
        func flag(_ key: String) -> Bool {
            if case .flag(let value)? = params[key] { return value }
            return false
        }
        func number(_ key: String) -> Double {
            if case .number(let value)? = params[key] { return value }
            return .nan
        }

        func apply(_ x: [Tensor], runningMean: inout Tensor, runningVariance: inout Tensor) -> Tensor {
            switch op {
            case "conv2d":
                return x[0].conv2d(x[1], bias: x.count > 2 ? x[2] : nil, stride: size("stride"), padding: size("padding"), dilation: size("dilation"))
            case "maxPool2d":
                return x[0].maxPool2d(kernelSize: size("kernel"), stride: size("stride"), padding: size("padding"), dilation: size("dilation"))
            case "avgPool2d":
                return x[0].avgPool2d(kernelSize: size("kernel"), stride: size("stride"), padding: size("padding"), countIncludePad: flag("countIncludePad"))
            case "adaptiveAvgPool2d":
                return x[0].adaptiveAvgPool2d(outputSize: size("outputSize"))
            case "batchNorm":
                return x[0].batchNorm(runningMean: &runningMean, runningVariance: &runningVariance, weight: x[1], bias: x[2],
                                      training: flag("training"), momentum: number("momentum"), epsilon: number("epsilon"))
            default:
                XCTFail("unknown op \(op)")
                return x[0]
            }
        }
    }
    let cases: [Case]
}
