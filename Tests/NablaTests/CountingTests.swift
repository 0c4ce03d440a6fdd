import XCTest
import NablaTestSupport
@testable import Nabla

/// unique, bincount, histc, searchsorted, oneHot by hand (PyTorch agreement: CountingTable).
final class CountingTests: XCTestCase {
    func testUnique() {
        let (values, inverse, counts) = Tensor([3, 1, 2, 3, 1, 5]).unique()
        XCTAssertEqual(values.scalars, [1, 2, 3, 5])
        XCTAssertEqual(inverse.scalars(as: Int64.self), [2, 0, 1, 2, 0, 3])
        XCTAssertEqual(counts.scalars(as: Int64.self), [2, 1, 2, 1])
        let big = Tensor([Int64.max, Int64.max - 1, Int64.max]).unique()
        XCTAssertEqual(big.values.scalars(as: Int64.self), [Int64.max - 1, Int64.max], "int64 compared exactly")
        XCTAssertEqual(big.values.dtype, .int64)
        XCTAssertEqual(Tensor([2, .nan, 1, .nan]).unique().counts.scalars(as: Int64.self), [1, 1, 1, 1], "NaNs are distinct")
    }

    func testBincountHistcSearchsortedOneHot() {
        XCTAssertEqual(Tensor([Int64(0), 2, 2, 5]).bincount().scalars(as: Int64.self), [1, 0, 2, 0, 0, 1])
        XCTAssertEqual(Tensor([Int64(0), 2]).bincount(minLength: 4).scalars(as: Int64.self), [1, 0, 1, 0])
        XCTAssertEqual(Tensor([Int64(0), 2, 2]).bincount(weights: Tensor([0.5, 1, 2])).scalars, [0.5, 0, 3])
        XCTAssertEqual(Tensor([1, 2, 1, 4, 2.5]).histc(bins: 4, minimum: 0, maximum: 4).scalars, [0, 2, 2, 1])
        XCTAssertEqual(Tensor([1, 2, 1]).histc(bins: 4).scalars, [2, 0, 0, 1])
        let boundaries = Tensor([1, 3, 5, 7])
        XCTAssertEqual(boundaries.searchsorted(Tensor([3, 6, 9, 0])).scalars(as: Int64.self), [1, 3, 4, 0])
        XCTAssertEqual(boundaries.searchsorted(Tensor([3]), right: true).scalars(as: Int64.self), [2])
        XCTAssertEqual(boundaries.searchsorted(Tensor(Float(4))).shape, [], "a 0-d value gives a 0-d position")
        let hot = Tensor([Int64(0), 2, 1]).oneHot(classes: 4)
        XCTAssertEqual(hot.dtype, .int64)
        XCTAssertEqual(hot.scalars(as: Int64.self), [1, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0])
        XCTAssertEqual(Tensor([Int64(1), 3]).oneHot().shape, [2, 4])
        assertFails("bincount: only supports 1-d non-negative integral inputs, found -1") { _ = Tensor([Int64(-1), 2]).bincount() }
        assertFails("oneHot: class values must be smaller than classes (3), found 5") { _ = Tensor([Int64(0), 5]).oneHot(classes: 3) }
        assertFails("histc: expected a floating tensor, got int64") { _ = Tensor([Int64(1)]).histc() }
    }

    func testSearchsortedRowsSorterSidesAndDTypes() {
        // Each row of values searches the matching row of the sequence.
        let rows = Tensor([[1, 3, 5], [2, 4, 6]] as [[Float]])
        let probes = Tensor([[3, 6, 0, 5], [1, 7, 4, 2]] as [[Float]])
        XCTAssertEqual(rows.searchsorted(probes).scalars(as: Int64.self), [1, 3, 0, 2, 0, 3, 1, 0])
        XCTAssertEqual(rows.searchsorted(probes, side: .right).scalars(as: Int64.self), [2, 3, 0, 3, 0, 3, 2, 1])
        // Rank 3: the two leading axes pick the row.
        let planes = Tensor(shape: [2, 2, 2], scalars: [0, 1, 10, 20, 5, 6, -1, 1] as [Double])
        XCTAssertEqual(planes.searchsorted(Tensor(shape: [2, 2, 1], scalars: [1, 15, 7, 0] as [Double])).scalars(as: Int64.self), [1, 1, 2, 1])
        // sorter lists each row in ascending order; positions are in that order.
        let unsorted = Tensor([[5, 1, 3], [0, 9, 2]] as [[Float]])
        let sorter = Tensor([[1, 2, 0], [0, 2, 1]] as [[Int64]])
        XCTAssertEqual(unsorted.searchsorted(Tensor([[3, 6], [1, 10]] as [[Float]]), sorter: sorter).scalars(as: Int64.self), [1, 3, 1, 3])
        // Integers compare exactly (as Double, 2⁵³ + 1 and 2⁵³ would be equal), and mixed dtypes promote.
        let big = Tensor([Int64(1) << 53, (Int64(1) << 53) + 1, (Int64(1) << 53) + 2])
        XCTAssertEqual(big.searchsorted(Tensor([(Int64(1) << 53) + 1])).scalars(as: Int64.self), [1])
        XCTAssertEqual(Tensor([Int32(1), 3, 5]).searchsorted(Tensor([Float(3.5)])).scalars(as: Int64.self), [2])
        XCTAssertEqual(Tensor([UInt8(1), 3, 5]).searchsorted(Tensor([UInt8(3)]), outInt32: true).dtype, .int32)
        // NaN values go past every element; a NaN in the sequence counts as larger than every number (torch: [3, 2, 3]).
        XCTAssertEqual(Tensor([1, .nan, 5]).searchsorted(Tensor([.nan, 3, 6])).scalars(as: Int64.self), [3, 2, 3])
        XCTAssertEqual(Tensor(shape: [2, 0], scalars: [Float]()).searchsorted(Tensor([[3], [1]] as [[Float]])).scalars(as: Int64.self), [0, 0])
        XCTAssertEqual(rows.searchsorted(Tensor(shape: [2, 0], scalars: [Float]())).shape, [2, 0])

        assertFails("searchsorted: the sorted sequence must be 1-D or have the leading dimensions of the values (all but the last), got a sorted sequence of shape [2, 3] and values of shape [3, 1]") {
            _ = rows.searchsorted(Tensor([[1], [2], [3]] as [[Float]]))
        }
        assertFails("searchsorted: the sorted sequence must be 1-D or have the leading dimensions of the values (all but the last), got a sorted sequence of shape [2, 3] and values of shape [2]") {
            _ = rows.searchsorted(Tensor([1, 2] as [Float]))
        }
        assertFails("searchsorted: values can be a scalar (0-dimensional) only when the sorted sequence is 1-D, got a sorted sequence of shape [2, 3]") {
            _ = rows.searchsorted(Tensor(Float(1)))
        }
        assertFails("searchsorted: the sorted sequence must have at least one dimension, got a 0-dimensional tensor") {
            _ = Tensor(Float(1)).searchsorted(Tensor([Float(1)]))
        }
        assertFails("searchsorted: sorter must have the sorted sequence's shape [2, 3], got [3]") {
            _ = rows.searchsorted(probes, sorter: Tensor([Int64(0), 1, 2]))
        }
        assertFails("searchsorted: sorter must be an int64 tensor, got int32") {
            _ = rows.searchsorted(probes, sorter: sorter.to(.int32))
        }
        assertFails("searchsorted: sorter index 3 is out of range for rows of length 3") {
            _ = rows.searchsorted(probes, sorter: Tensor([[0, 1, 3], [0, 1, 2]] as [[Int64]]))
        }
        assertFails("searchsorted: not implemented for bool tensors") { _ = Tensor([false, true]).searchsorted(Tensor([true])) }
    }
}
