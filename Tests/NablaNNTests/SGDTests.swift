import XCTest
import NablaTestSupport
import Nabla
@testable import NablaNN

final class SGDTests: XCTestCase {
    /// A parameter whose gradient is set by hand.
    private func parameter(_ values: [Float], grad: [Float]) -> Parameter {
        let parameter = Parameter(Tensor(values))
        parameter.value.grad = Tensor(grad)
        return parameter
    }

    func testPlainStepIsParameterMinusLearningRateTimesGradient() {
        forEachBackend { kind in
            let p = parameter([1, 2, 3], grad: [0.5, -1, 2])
            let optimizer = SGD([p], learningRate: 0.1)
            optimizer.step()
            assertClose(p.value.scalars, [0.95, 2.1, 2.8], "on \(kind)")
            optimizer.zeroGrad()
            XCTAssertNil(p.grad)
            optimizer.step()  // no gradient: nothing moves
            assertClose(p.value.scalars, [0.95, 2.1, 2.8])
            XCTAssertTrue(p.value.requiresGrad, "still a leaf after the update")
        }
    }

    /// Issue 24: SGD took a learning rate of −1 (and climbed the loss); torch.optim.SGD raises.
    func testANegativeLearningRateIsRefused() {
        assertFails("SGD: invalid learning rate -1.0: it must not be negative") { _ = SGD([self.parameter([1], grad: [1])], learningRate: -1) }
        assertFails("SGD: invalid learning rate nan") { _ = SGD([self.parameter([1], grad: [1])], learningRate: .nan, momentum: 0.9) }
    }

    func testMomentumAndWeightDecayFollowTorchOptimSGD() {
        // PyTorch: g = grad + wd·p; v = g (first step), then v = m·v + g; p -= lr·v.
        let p = parameter([1, -2], grad: [1, 1])
        let optimizer = SGD([p], learningRate: 0.5, momentum: 0.9, weightDecay: 0.1)
        optimizer.step()
        // g = [1.1, 0.8]; v = g; p = [1 − 0.55, −2 − 0.4] = [0.45, −2.4].
        assertClose(p.value.scalars, [0.45, -2.4])
        p.value.grad = Tensor([1, 1])
        optimizer.step()
        // g = [1.045, 0.76]; v = 0.9·[1.1, 0.8] + g = [2.035, 1.48]; p = [0.45 − 1.0175, −2.4 − 0.74].
        assertClose(p.value.scalars, [-0.5675, -3.14])
    }

    func testTrainingStepThroughAutograd() {
        // One step on f(w) = (w·x − y)² for w = [1, 1], x = [1, 2], y = 1: grad = 2(3 − 1)·x = [4, 8].
        let layer = Linear(weight: Tensor([[1, 1]]), bias: nil)
        let optimizer = SGD(layer.parameters, learningRate: 0.01)
        mseLoss(layer(Tensor([[1, 2]])), Tensor([[1]])).backward()
        assertClose(layer.weight.grad!.scalars, [4, 8])
        optimizer.step()
        optimizer.zeroGrad()
        assertClose(layer.weight.value.scalars, [0.96, 0.92])
        XCTAssertNil(layer.weight.grad)
    }

    func testStepUpdatesWeightsInPlaceAfterBackward() {
        // Once backward has freed the graph, nothing else holds the weights' buffer, so
        // the step writes into it instead of copying 23,520 floats every batch.
        var generator = RandomGenerator(seed: 5)
        let layer = Linear(inputs: 784, outputs: 30, generator: &generator)
        let optimizer = SGD(layer.parameters, learningRate: 0.1, momentum: 0.9)
        let input = Tensor.rand([8, 784], generator: &generator)
        func address() -> UnsafePointer<Float>? { layer.weight.value.withUnsafeBufferPointer { $0.baseAddress } }
        let before = address()
        for step in 0..<3 {
            layer(input).square().mean().backward()
            optimizer.step()
            optimizer.zeroGrad()
            XCTAssertEqual(address(), before, "step \(step)")
        }
    }
}
