import XCTest
import Nabla
import NablaNN
import NablaTestSupport

/// Every argument check of NablaNN stops through `Nabla.fail`, so its message prints in release builds too.
final class NablaNNMessagesTests: XCTestCase {
    func testLinearChecksItsSizes() {
        assertFails("Linear: inputs (0) and outputs (3) must be positive") {
            var generator = RandomGenerator(seed: 0)
            _ = Linear(inputs: 0, outputs: 3, generator: &generator)
        }
        assertFails("Linear: weight must be [outputs, inputs], got [3]") { _ = Linear(weight: Tensor([1, 2, 3]), bias: nil) }
        assertFails("Linear: bias must be [1] for weight [1, 2], got [2]") {
            _ = Linear(weight: Tensor([[1, 2]]), bias: Tensor([1, 2]))
        }
    }

    func testConvolutionAndRegularizationLayersCheckTheirSizes() {
        assertFails("Conv2d: channels (0, 2) and kernel size") {
            var generator = RandomGenerator(seed: 0)
            _ = Conv2d(inChannels: 0, outChannels: 2, kernelSize: 3, generator: &generator)
        }
        assertFails("Conv2d: weight must be [out, in, kH, kW], got [2, 3]") { _ = Conv2d(weight: Tensor.zeros([2, 3]), bias: nil) }
        assertFails("Conv2d: bias must be [2], got [3]") { _ = Conv2d(weight: Tensor.zeros([2, 1, 3, 3]), bias: Tensor.zeros([3])) }
        assertFails("Dropout: probability has to be between 0 and 1, but got 1.5") { _ = Dropout(probability: 1.5) }
        assertFails("BatchNorm2d: features must be positive, got 0") { _ = BatchNorm2d(features: 0) }
        assertFails("Normalize: every std must be positive, got [1.0, 0.0]") { _ = Normalize(mean: [0, 0], std: [1, 0]) }
        assertFails("Normalize: mean (2 values) and std (1 values) need one value per channel each") { _ = Normalize(mean: [0, 0], std: [1]) }
        assertFails("Normalize: expected an input [N, 2, …], got [4, 3, 5, 5]") { _ = Normalize(mean: [0, 0], std: [1, 1])(Tensor.zeros([4, 3, 5, 5])) }
    }

    func testSGDChecksItsHyperparameters() {
        assertFails("SGD: momentum (-1.0) and weight decay (0.0) must not be negative") {
            _ = SGD([], learningRate: 0.1, momentum: -1)
        }
    }
}

final class NumberPrinterTests: XCTestCase {
    func testFixedDecimalsSurviveEveryDouble() {
        XCTAssertEqual(formatFixed(0.5, decimals: 6), "0.500000")
        XCTAssertEqual(formatFixed(-2.25, decimals: 1), "-2.3")
        XCTAssertEqual(formatFixed(1e30, decimals: 6), "1.000000e+30")
        XCTAssertEqual(formatFixed(-9.2e18, decimals: 4), "-9.2000e+18")
        XCTAssertEqual(formatFixed(9.9999999e20, decimals: 2), "1.00e+21")
        XCTAssertEqual(formatFixed(Double(Float.greatestFiniteMagnitude), decimals: 3), "3.403e+38")
        XCTAssertEqual(formatFixed(.infinity, decimals: 6), "inf")
        XCTAssertEqual(formatFixed(-.infinity, decimals: 6), "-inf")
        XCTAssertEqual(formatFixed(.nan, decimals: 6), "nan")
        XCTAssertEqual(formatFixed(123456789012345, decimals: 0), "123456789012345")
    }
}

final class ModuleDescriptionTests: XCTestCase {
    func testModulesPrintTheirStructure() {
        var generator = RandomGenerator(seed: 0)
        let net = Sequential(Linear(inputs: 784, outputs: 30, generator: &generator), ReLU(),
                             Sequential(Linear(inputs: 30, outputs: 1, bias: false, generator: &generator), Lambda("Square") { $0.square() }))
        XCTAssertEqual(net.description, """
            Sequential(
              (0): Linear(inputs: 784, outputs: 30, bias: true)
              (1): ReLU()
              (2): Sequential(
                (0): Linear(inputs: 30, outputs: 1, bias: false)
                (1): Square()
              )
            )
            """)
    }

    func testAModuleIsAFunction() {
        let model = Linear(weight: Tensor([[2, 0], [0, 3]]), bias: nil)
        let f: (Tensor) -> Tensor = model.forward
        XCTAssertEqual(f(Tensor([1, 1])).scalars, [2, 3])
        XCTAssertEqual([Tensor([1, 0])].map(model.forward).first?.scalars, [2, 0])
    }
}
