import XCTest
import Nabla
@testable import NablaNN

final class ModuleTests: XCTestCase {
    func testLinearComputesXTimesWeightTransposedPlusBias() {
        forEachBackend { kind in
            let layer = Linear(weight: Tensor([[1, 2, 3], [-1, 0, 2]]), bias: Tensor([0.5, -1]))
            let output = layer(Tensor([[1, 1, 1], [2, 0, -1]]))
            XCTAssertEqual(output.shape, [2, 2])
            // Row 1: 1+2+3+0.5, -1+0+2-1; row 2: 2-3+0.5, -2+0-2-1.
            assertClose(output.scalars, [6.5, 0, -0.5, -5], "on \(kind)")
        }
    }

    func testLinearTakesVectorsAndBatchesOfBatches() {
        let layer = Linear(weight: Tensor([[1, 2, 3], [-1, 0, 2]]), bias: Tensor([0.5, -1]))
        let vector = layer(Tensor([1, 1, 1]))
        XCTAssertEqual(vector.shape, [2])
        assertClose(vector.scalars, [6.5, 0])
        let stacked = layer(Tensor([[[1, 1, 1], [2, 0, -1]], [[0, 0, 0], [1, 0, 0]]]))
        XCTAssertEqual(stacked.shape, [2, 2, 2])
        assertClose(stacked.scalars, [6.5, 0, -0.5, -5, 0.5, -1, 1.5, -2])
    }

    func testLinearGradientsMatchFiniteDifferences() {
        var generator = RandomGenerator(seed: 11)
        let input = Tensor.rand([5, 4], generator: &generator)
        let weight = Tensor.rand([3, 4], generator: &generator), bias = Tensor.rand([3], generator: &generator)
        forEachBackend { kind in
            let layer = Linear(weight: weight, bias: bias)
            // The input's gradient against finite differences...
            let result = gradientCheck([input]) { layer($0[0]).square() }
            XCTAssertTrue(result.passed, "on \(kind): \(result)")
            // ...and the parameters' against the plain formula x·Wᵀ + b.
            layer.weight.value.grad = nil
            layer.bias!.value.grad = nil
            layer(input).square().sum().backward()
            let w = weight.requiringGrad(), b = bias.requiringGrad()
            (input.matmul(w.transposed) + b).square().sum().backward()
            assertClose(layer.weight.grad!.scalars, w.grad!.scalars, tolerance: 1e-5, "weight on \(kind)")
            assertClose(layer.bias!.grad!.scalars, b.grad!.scalars, tolerance: 1e-5, "bias on \(kind)")
        }
    }

    func testLinearGradientsMatchHandComputation() {
        let layer = Linear(weight: Tensor([[1, 2], [3, 4]]), bias: Tensor([0, 0]))
        let input = Tensor([[1, -1], [2, 3]])
        layer(input).sum().backward()
        // d(sum)/dW[o, i] = sum over the batch of input[:, i]; d/db = batch size.
        assertClose(layer.weight.grad!.scalars, [3, 2, 3, 2])
        assertClose(layer.bias!.grad!.scalars, [2, 2])
    }

    func testLinearInitialisationIsPyTorchsUniformAndSeeded() {
        var first = RandomGenerator(seed: 7), second = RandomGenerator(seed: 7)
        let a = Linear(inputs: 784, outputs: 30, generator: &first)
        let b = Linear(inputs: 784, outputs: 30, generator: &second)
        XCTAssertEqual(a.weight.value.shape, [30, 784])
        XCTAssertEqual(a.bias!.value.shape, [30])
        XCTAssertEqual(a.weight.value.scalars, b.weight.value.scalars, "same seed, same weights")
        let bound = 1 / Float(784).squareRoot()
        let weights = a.weight.value.scalars + a.bias!.value.scalars
        XCTAssertTrue(weights.allSatisfy { abs($0) <= bound }, "all within ±1/√784")
        // A uniform on ±b has mean 0 and standard deviation b/√3.
        let mean = weights.reduce(0, +) / Float(weights.count)
        let std = (weights.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(weights.count)).squareRoot()
        XCTAssertEqual(mean, 0, accuracy: bound * 0.02)
        XCTAssertEqual(std, bound / Float(3).squareRoot(), accuracy: bound * 0.02)
        XCTAssertTrue(a.weight.value.requiresGrad)
    }

    func testSequentialNamesParametersAsPyTorch() {
        var generator = RandomGenerator(seed: 1)
        let net = Sequential(Linear(inputs: 784, outputs: 30, generator: &generator), ReLU(),
                             Linear(inputs: 30, outputs: 1, generator: &generator))
        XCTAssertEqual(net.namedParameters.map(\.name), ["0.weight", "0.bias", "2.weight", "2.bias"])
        XCTAssertEqual(net.parameterCount, 784 * 30 + 30 + 30 + 1)
        XCTAssertEqual(net(Tensor.zeros([5, 784])).shape, [5, 1])
    }

    func testActivations() {
        let x = Tensor([-2, 0, 3])
        assertClose(ReLU()(x).scalars, [0, 0, 3])
        assertClose(Sigmoid()(x).scalars, [1 / (1 + exp(2)), 0.5, 1 / (1 + exp(-3))])
        let chain = Sequential(ReLU(), Sigmoid())
        assertClose(chain(x).scalars, [0.5, 0.5, 1 / (1 + exp(-3))])
        XCTAssertTrue(chain.namedParameters.isEmpty)
    }

    func testLinearWithoutBias() {
        var generator = RandomGenerator(seed: 3)
        let layer = Linear(inputs: 4, outputs: 2, bias: false, generator: &generator)
        XCTAssertNil(layer.bias)
        XCTAssertEqual(layer.namedParameters.map(\.name), ["weight"])
        assertClose(layer(Tensor.zeros([1, 4])).scalars, [0, 0])
    }
}
