import XCTest
import NablaTestSupport
@testable import Nabla

/// Integer-array and mask indexing (values by hand; PyTorch agreement in the differential test's AdvancedIndexingTable).
final class AdvancedIndexingTests: XCTestCase {
    let x = Tensor(shape: [4, 3], scalars: (0..<12).map(Float.init))

    /// The trap of issue 21: `x[[0, 2]]` used to bind to the variadic subscript and return x[0, 2], a scalar.
    func testArrayLiteralPicksRowsAsPyTorchDoes() {
        XCTAssertEqual(x[[0, 2]].shape, [2, 3])
        XCTAssertEqual(x[[0, 2]].scalars, [0, 1, 2, 6, 7, 8])
        let rows = [0, 2]
        XCTAssertEqual(x[rows].scalars, [0, 1, 2, 6, 7, 8])
        XCTAssertEqual(x[[-1, 0, 0]].scalars, [9, 10, 11, 0, 1, 2, 0, 1, 2])
        // Two Ints are still basic indexing of two axes.
        XCTAssertEqual(x[0, 2].shape, [])
        XCTAssertEqual(x[[0, 2] as [TensorIndex]].item, 2)
    }

    func testIntegerTensorsBroadcastAndPlaceTheirAxesAsNumPy() {
        let rows = Tensor([Int64(0), 3])
        XCTAssertEqual(x[rows].shape, [2, 3])
        XCTAssertEqual(x[0..., [2, 0]].scalars, [2, 0, 5, 3, 8, 6, 11, 9])
        // Two index tensors broadcast together: [[0], [3]] with [0, 2] picks a 2×2 block's corners.
        let column = Tensor(shape: [2, 1], scalars: [Int64(0), 3]), pair = Tensor([Int64(0), 2])
        XCTAssertEqual(x[column, pair].shape, [2, 2])
        XCTAssertEqual(x[column, pair].scalars, [0, 2, 9, 11])
        // An Int beside an index tensor is a 0-D index: x[1, [0, 2]] is [3, 5].
        XCTAssertEqual(x[1, [0, 2]].scalars, [3, 5])
        let cube = Tensor(shape: [2, 3, 4], scalars: (0..<24).map(Float.init))
        // Adjacent advanced indices keep their place; separated ones move to the front.
        XCTAssertEqual(cube[0..., [0, 2], [1, 3]].shape, [2, 2])
        XCTAssertEqual(cube[[0, 1], 0..., [1, 3]].shape, [2, 3])
        XCTAssertEqual(cube[[0, 1], 0..., [1, 3]].scalars, [1, 5, 9, 15, 19, 23])
        XCTAssertEqual(cube[.ellipsis, [0, 3]].shape, [2, 3, 2])
    }

    func testMasksPickTheTrueElements() {
        let mask = Tensor(shape: [4, 3], scalars: (0..<12).map { $0 > 9 })
        XCTAssertEqual(x[mask].scalars, [10, 11])
        XCTAssertEqual(x[Tensor([true, false, true, false])].shape, [2, 3])
        XCTAssertEqual(x[0..., Tensor([false, true, true])].scalars, [1, 2, 4, 5, 7, 8, 10, 11])
        XCTAssertEqual(x.maskedSelect(Tensor([true, false, true])).scalars, [0, 2, 3, 5, 6, 8, 9, 11])
        XCTAssertEqual(mask.nonzero().scalars(as: Int64.self), [3, 1, 3, 2])
        XCTAssertEqual(mask.nonzero().shape, [2, 2])
        XCTAssertEqual(Tensor([0, 1.5, 0, -2]).argwhere().scalars(as: Int64.self), [1, 3])
    }

    func testAssignmentAndIndexPut() {
        var y = x
        y[[0, 2]] = Tensor(-1)
        XCTAssertEqual(y.scalars, [-1, -1, -1, 3, 4, 5, -1, -1, -1, 9, 10, 11])
        var masked = x
        masked[Tensor(shape: [4, 3], scalars: (0..<12).map { $0 % 5 == 0 })] = Tensor([100, 200, 300])
        XCTAssertEqual(masked.scalars, [100, 1, 2, 3, 4, 200, 6, 7, 8, 9, 300, 11])
        var accumulated = Tensor.zeros([3])
        accumulated.indexPut([[0, 2, 0]], values: Tensor([1, 2, 3]), accumulate: true)
        XCTAssertEqual(accumulated.scalars, [4, 0, 2])
        XCTAssertEqual(x.scalars[0], 0, "x itself never changes")
    }

    func testGradients() {
        let base = randomTensor([4, 3], seed: 1)
        assertGradientsMatch([base], "x[[0, 2, 0]]") { $0[0][[0, 2, 0]] }
        assertGradientsMatch([base], "x[rows, cols]") { $0[0][Tensor([Int64(1), 3, 1]), Tensor([Int64(0), 2, 0])] }
        assertGradientsMatch([base], "x[mask]") { $0[0][Tensor(shape: [4, 3], scalars: (0..<12).map { $0 % 3 != 1 })] }
        let values = randomTensor([2, 3], seed: 2)
        assertGradientsMatch([base, values], "indexPut accumulate") { t in
            var target = t[0] * 1
            target.indexPut([[1, 1]], values: t[1], accumulate: true)
            return target
        }
        assertGradientsMatch([base, values], "x[[0, 3]] = v") { t in
            var target = t[0] * 1
            target[[0, 3]] = t[1]
            return target
        }
    }

    func testMessagesAreTorchs() {
        assertFails("subscript: index 4 is out of bounds for dimension 0 with size 4") { _ = self.x[[0, 4]] }
        assertFails("subscript: index -5 is out of bounds for dimension 0 with size 4") { _ = self.x[[-5]] }
        assertFails("subscript: the shape of the mask [3] at index 0 does not match the shape of the indexed tensor [4, 3] at index 0") {
            _ = self.x[Tensor([true, false, true])]
        }
        assertFails("subscript: tensors used as indices must be long, int or bool tensors, got float32") { _ = self.x[Tensor([0, 1])] }
        assertFails("subscript: too many indices for tensor of dimension 2") { _ = self.x[[0], [0], [0]] }
        assertFails("indexPut: shape mismatch: value tensor of shape [3] cannot be broadcast to indexing result of shape [2, 2]") {
            var y = self.x
            y[0..<2, [0, 1]] = Tensor([1, 2, 3])
        }
    }
}
