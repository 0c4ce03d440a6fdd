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
        let hot = Tensor([Int64(0), 2, 1]).oneHot(classes: 4)
        XCTAssertEqual(hot.dtype, .int64)
        XCTAssertEqual(hot.scalars(as: Int64.self), [1, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0])
        XCTAssertEqual(Tensor([Int64(1), 3]).oneHot().shape, [2, 4])
        assertFails("bincount: only supports 1-d non-negative integral inputs, found -1") { _ = Tensor([Int64(-1), 2]).bincount() }
        assertFails("oneHot: class values must be smaller than classes (3), found 5") { _ = Tensor([Int64(0), 5]).oneHot(classes: 3) }
        assertFails("histc: expected a floating tensor, got int64") { _ = Tensor([Int64(1)]).histc() }
    }
}
