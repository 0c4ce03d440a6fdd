import XCTest
import NablaTestSupport
import Nabla
@testable import NablaNN

/// `module.to(dtype)`, as PyTorch's `model.to(torch.float64)`.
final class ModuleDTypeTests: XCTestCase {
    /// Linear → BatchNorm (on [N, 3, 1, 1]) → ReLU → Linear, seeded.
    private final class Net: Module {
        let first: Linear, norm = BatchNorm2d(features: 3), second: Linear
        init(seed: UInt64) {
            var generator = RandomGenerator(seed: seed)
            first = Linear(inputs: 4, outputs: 3, generator: &generator)
            second = Linear(inputs: 3, outputs: 2, generator: &generator)
        }
        func callAsFunction(_ x: Tensor) -> Tensor {
            second(norm(first(x).reshape([-1, 3, 1, 1])).reshape([-1, 3]).relu())
        }
    }

    /// A model cast to float16 or bfloat16 computes in float32 and rounds each op's result:
    /// its outputs are within a few half-precision roundings of the float32 model's, its
    /// gradients have its dtype, SGD steps it, and Adam refuses it by name.
    func testHalfPrecisionModelsComputeAndTrainWithSGD() {
        for (dtype, unit) in [(DType.float16, Float(0x1p-11)), (.bfloat16, 0x1p-8)] {
            let single = Net(seed: 7), half = Net(seed: 7)
            half.to(dtype)
            XCTAssertEqual(half.norm.runningMean.value.dtype, dtype)
            XCTAssertEqual(half.norm.batchesTracked.value.dtype, .int64)
            let x = Tensor(shape: [5, 4], scalars: (0..<20).map { Float($0 % 7) / 4 - 0.75 })
            let (y32, yHalf) = (single(x), half(x.to(dtype)))
            XCTAssertEqual(yHalf.dtype, dtype)
            assertClose(yHalf.scalars, y32.scalars, tolerance: 64 * unit)
            let loss = yHalf.square().mean()
            loss.backward()
            XCTAssertEqual(half.first.weight.grad?.dtype, dtype)
            let before = half.first.weight.value.scalars
            let sgd = SGD(half.parameters, learningRate: 0.5, momentum: 0.9)
            sgd.step()
            XCTAssertEqual(half.first.weight.value.dtype, dtype)
            XCTAssertNotEqual(half.first.weight.value.scalars, before)
            assertFails("Adam: parameter 0 is \(dtype); Adam steps float32 and float64 parameters") { Adam(half.parameters).step() }
        }
    }

    func testToFloat64CastsParametersAndFloatBuffersAndTrainsInFloat64() {
        let single = Net(seed: 7), double = Net(seed: 7)
        let parameters = double.parameters
        XCTAssertTrue(double.to(.float64) === double)
        // The same Parameter objects, now float64 leaves that require a gradient, with the same values.
        XCTAssertTrue(zip(parameters, double.parameters).allSatisfy { $0 === $1 })
        for (a, b) in zip(single.namedParameters, double.namedParameters) {
            XCTAssertEqual(b.parameter.value.dtype, .float64, b.name)
            XCTAssertTrue(b.parameter.value.requiresGrad, b.name)
            XCTAssertEqual(b.parameter.value.scalars(as: Double.self), a.parameter.value.scalars.map(Double.init), b.name)
        }
        let buffers = Dictionary(uniqueKeysWithValues: double.namedBuffers.map { ($0.name, $0.buffer.value.dtype) })
        XCTAssertEqual(buffers, ["norm.running_mean": .float64, "norm.running_var": .float64, "norm.num_batches_tracked": .int64])

        // Training mode: the same batch gives the float32 model's outputs to float32 rounding, in float64.
        let x = Tensor(shape: [5, 4], scalars: (0..<20).map { Float($0 % 7) / 3 - 1 })
        let (y32, y64) = (single(x), double(x.to(.float64)))
        XCTAssertEqual(y64.dtype, .float64)
        assertClose(y64.scalars(as: Double.self).map(Float.init), y32.scalars, tolerance: 1e-5)

        // An optimizer made after the cast steps in float64.
        let optimizer = Adam(double.parameters, learningRate: 0.01)
        let loss = y64.square().mean()
        loss.backward()
        XCTAssertTrue(double.parameters.allSatisfy { $0.grad?.dtype == .float64 })
        optimizer.step()
        XCTAssertTrue(double.parameters.allSatisfy { $0.value.dtype == .float64 && $0.value.requiresGrad })
        XCTAssertEqual(double.norm.batchesTracked.value.item(as: Int64.self), 1)
    }

    func testToAnIntegerDTypeIsRefused() {
        assertFails("Module.to: only floating-point dtypes are accepted (parameters must be able to have gradients), got int64") {
            Linear(inputs: 2, outputs: 1).to(.int64)
        }
    }
}
