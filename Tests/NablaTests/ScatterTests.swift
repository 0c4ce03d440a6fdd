import XCTest
import NablaTestSupport
@testable import Nabla

/// scatter, scatterAdd, scatterReduce by hand (PyTorch agreement: ScatterTable in the differential test).
final class ScatterTests: XCTestCase {
    let index = Tensor(shape: [1, 3], scalars: [Int64(2), 0, 2])

    func testHandValues() {
        let base = Tensor.zeros([3, 3]), source = Tensor(shape: [1, 3], scalars: [1, 2, 3])
        XCTAssertEqual(base.scatter(axis: 0, index: index, source: source).scalars, [0, 2, 0, 0, 0, 0, 1, 0, 3])
        let row = Tensor([1, 1, 1, 1]), positions = Tensor([Int64(0), 3, 0, -1]), values = Tensor([5, 6, 7, 8])
        XCTAssertEqual(row.scatterAdd(axis: 0, index: positions, source: values).scalars, [13, 1, 1, 15])
        XCTAssertEqual(row.scatterReduce(axis: 0, index: positions, source: values, reduce: .mean).scalars, [13.0 / 3, 1, 1, 15.0 / 3])
        XCTAssertEqual(row.scatterReduce(axis: 0, index: positions, source: values, reduce: .mean, includeSelf: false).scalars, [6, 1, 1, 7])
        XCTAssertEqual(row.scatterReduce(axis: 0, index: positions, source: values, reduce: .amax).scalars, [7, 1, 1, 8])
        XCTAssertEqual(row.scatterReduce(axis: 0, index: positions, source: values, reduce: .amin).scalars, [1, 1, 1, 1])
        XCTAssertEqual(row.scatterReduce(axis: 0, index: positions, source: values, reduce: .amin, includeSelf: false).scalars, [5, 1, 1, 6])
    }

    func testGradients() {
        let base = randomTensor([3, 4], seed: 1), source = randomTensor([2, 3], seed: 2)
        let index = Tensor(shape: [2, 3], scalars: [Int64(0), 2, 1, 0, 1, 1])
        // Without repeated targets: with them, as in PyTorch, every source element gets its target's gradient.
        let distinct = Tensor(shape: [2, 3], scalars: [Int64(0), 2, 1, 2, 1, 0])
        assertGradientsMatch([base, source], "scatter") { $0[0].scatter(axis: 0, index: distinct, source: $0[1]) }
        assertGradientsMatch([base, source], "scatterAdd") { $0[0].scatterAdd(axis: 0, index: index, source: $0[1]) }
        for reduce in [ScatterReduction.mean, .amax, .amin] {
            assertGradientsMatch([base, source], "scatterReduce \(reduce)") {
                $0[0].scatterReduce(axis: 0, index: index, source: $0[1], reduce: reduce, includeSelf: false)
            }
        }
    }

    /// A float64 tensor is scattered into in float64: 1 + 1e-10 (not a float32) survives the
    /// values, the sums and the gradients.
    func testFloat64StaysFloat64() {
        let fine = 1 + 1e-10
        let base = Tensor([fine, 2, 3]).to(.float64).requiringGrad(), source = Tensor([fine, fine]).to(.float64).requiringGrad()
        let twice = Tensor([Int64(0), 0])
        let summed = base.scatterAdd(axis: 0, index: twice, source: source)
        XCTAssertEqual(summed.dtype, .float64)
        XCTAssertEqual(summed.scalars(as: Double.self), [fine + fine + fine, 2, 3])
        XCTAssertEqual(base.scatter(axis: 0, index: twice, source: source).scalars(as: Double.self), [fine, 2, 3])
        let largest = base.scatterReduce(axis: 0, index: twice, source: source, reduce: .amax)
        XCTAssertEqual(largest.scalars(as: Double.self), [fine, 2, 3])
        largest.backward(gradient: Tensor([3 * fine, fine, fine]).to(.float64))
        XCTAssertEqual(base.grad?.scalars(as: Double.self), [fine, fine, fine], "three equal winners share 3·fine")
        XCTAssertEqual(source.grad?.scalars(as: Double.self), [fine, fine])
    }

    func testMessages() {
        assertFails("scatter: index 3 is out of bounds for dimension 0 with size 3") {
            _ = Tensor.zeros([3, 3]).scatter(axis: 0, index: Tensor(shape: [1, 1], scalars: [Int64(3)]), source: Tensor.zeros([1, 1]))
        }
        assertFails("scatterReduce: expected an int64 or int32 index tensor, got float32") {
            _ = Tensor.zeros([3]).scatterAdd(axis: 0, index: Tensor([0]), source: Tensor([1]))
        }
        assertFails("scatter: index [4] must have the rank of self [3] and src [2]") {
            _ = Tensor.zeros([3]).scatter(axis: 0, index: Tensor([Int64(0), 1, 2, 0]), source: Tensor([1, 2]))
        }
    }
}
