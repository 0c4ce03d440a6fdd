import XCTest
import Nabla
import NablaTestSupport
@testable import NablaNN

/// conv2d's groups, pooling's ceilMode, cross-entropy's weight, ignoreIndex and labelSmoothing,
/// max pooling's last-NaN gradient: hand values and messages (PyTorch agreement is in
/// RecipeArgumentsTable of the differential test).
final class RecipeArgumentsTests: XCTestCase {
    func testGroupedConvolutionIsEachGroupOnItsOwnChannels() {
        var generator = RandomGenerator(seed: 3)
        let x = Tensor.randn([2, 4, 5, 5], generator: &generator), w = Tensor.randn([6, 2, 3, 3], generator: &generator)
        let grouped = x.conv2d(w, padding: 1, groups: 2)
        XCTAssertEqual(grouped.shape, [2, 6, 5, 5])
        // Output channels 3..<6 see input channels 2..<4 only (to rounding: the one-group
        // convolution copies channels-last patches, the grouped one im2col's columns).
        let second = x.narrow(axis: 1, start: 2, length: 2).conv2d(w.narrow(axis: 0, start: 3, length: 3), padding: 1)
        assertClose(grouped.narrow(axis: 1, start: 3, length: 3).scalars, second.scalars, tolerance: 1e-5)
        let layer = Conv2d(inChannels: 4, outChannels: 8, kernelSize: 3, groups: 4, generator: &generator)
        XCTAssertEqual(layer.weight.value.shape, [8, 1, 3, 3])
        XCTAssertEqual(layer(x).shape, [2, 8, 3, 3])
        assertFails("conv2d: the input channels (4) and the output channels (6) must both be divisible by groups (3)") {
            _ = x.conv2d(w, groups: 3)
        }
        assertFails("conv2d: the weight [6, 2, 3, 3] expects 2 input channels but the input [2, 4, 5, 5] has 4") { _ = x.conv2d(w) }
        assertFails("Conv2d: in_channels (4) and out_channels (6) must be divisible by groups (4)") {
            var g = RandomGenerator(seed: 1)
            _ = Conv2d(inChannels: 4, outChannels: 6, kernelSize: 3, groups: 4, generator: &g)
        }
    }

    func testCeilModeKeepsTheLastPartialWindow() {
        let x = Tensor(shape: [1, 1, 3, 3], scalars: (1...9).map(Float.init))
        XCTAssertEqual(x.maxPool2d(kernelSize: 2, ceilMode: true).scalars, [5, 6, 8, 9])
        XCTAssertEqual(x.maxPool2d(kernelSize: 2).scalars, [5])
        // The partial windows average only what they cover: [1,2,4,5] [3,6] [7,8] [9].
        XCTAssertEqual(x.avgPool2d(kernelSize: 2, ceilMode: true).scalars, [3, 4.5, 7.5, 9])
        // A window that would start in the right padding is dropped: 5 → 3, not 4.
        XCTAssertEqual(Tensor.zeros([1, 1, 5, 5]).maxPool2d(kernelSize: 2, stride: 2, padding: 1, ceilMode: true).shape, [1, 1, 3, 3])
        XCTAssertEqual(MaxPool2d(kernelSize: 2, ceilMode: true)(x).shape, [1, 1, 2, 2])
        XCTAssertEqual(AvgPool2d(kernelSize: 2, ceilMode: true)(x).shape, [1, 1, 2, 2])
    }

    func testMaxPoolGradientGoesToTheLastNaN() {
        for kernel in [2, 3] {
            let x = Tensor(shape: [1, 1, kernel, kernel], scalars: (0..<(kernel * kernel)).map { $0 % 3 == 0 ? .nan : Float($0) },
                           requiresGrad: true)
            x.maxPool2d(kernelSize: Size2D(integerLiteral: kernel)).sum().backward()
            let last = (0..<(kernel * kernel)).last { $0 % 3 == 0 }!
            XCTAssertEqual(x.grad?.scalars, (0..<(kernel * kernel)).map { $0 == last ? 1 : 0 }, "kernel \(kernel)")
        }
    }

    func testCrossEntropyWeightIgnoreIndexAndSmoothingByHand() {
        let logits = Tensor([[2, 0, -1], [0.5, 1, 0], [0, 0, 3]])
        let target = Tensor([0, -100, 2])
        let weight = Tensor([2, 1, 0.5])
        let logP = logits.logSoftmax(axis: 1).scalars
        // Row 1 is ignored; mean divides by weight[0] + weight[2].
        let nll = (-2 * logP[0] - 0.5 * logP[8]) / 2.5
        XCTAssertEqual(crossEntropy(logits, target, weight: weight).item, nll, accuracy: 1e-6)
        XCTAssertEqual(crossEntropy(logits, target, weight: weight, reduction: .none).scalars[1], 0)
        let smoothTerm = { (row: Int) in -(2 * logP[row * 3] + logP[row * 3 + 1] + 0.5 * logP[row * 3 + 2]) }
        let smoothed = 0.7 * nll + 0.3 / 3 * (smoothTerm(0) + smoothTerm(2)) / 2.5
        XCTAssertEqual(crossEntropy(logits, target, weight: weight, labelSmoothing: 0.3).item, smoothed, accuracy: 1e-6)
        // Without weight or ignored targets, the plain mean; smoothing alone mixes in the mean of −Σ logP / C.
        let plain = crossEntropy(logits, Tensor([0, 1, 2]))
        XCTAssertEqual(crossEntropy(logits, Tensor([0, 1, 2]), labelSmoothing: 0).item, plain.item)
        XCTAssertTrue(crossEntropy(logits, Tensor([-100, -100, -100])).item.isNaN)
        assertFails("crossEntropy: labelSmoothing must be between 0.0 and 1.0, got 1.5") { _ = crossEntropy(logits, target, labelSmoothing: 1.5) }
        assertFails("crossEntropy: weight must hold one value per class, [3], got [2]") { _ = crossEntropy(logits, target, weight: Tensor([1, 2])) }
        assertFails("crossEntropy: class index -1 at position 1 is out of range") { _ = crossEntropy(logits, Tensor([0, -1, 2])) }
        let check = gradientCheck([logits]) { crossEntropy($0[0], target, weight: weight, labelSmoothing: 0.2) }
        XCTAssertTrue(check.passed, "\(check)")
    }
}
