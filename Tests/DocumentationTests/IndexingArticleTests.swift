import XCTest
import Nabla

// The code of the article "Indexing" (Sources/Nabla/Nabla.docc/Indexing.md).

final class IndexingArticleTests: XCTestCase {
    func testBasicIndexing() {
        let x = Tensor(shape: [4, 3], scalars: (0..<12).map(Float.init))
        let row = x[1]                     // [3, 4, 5], shape [3]
        let last = x[-1]                   // [9, 10, 11]
        let block = x[1..<3, 0..<2]        // shape [2, 2]
        let column = x[0..., 1]            // [1, 4, 7, 10]
        let everyOther = x[.every(2)]      // rows 0 and 2
        let lastColumn = x[..., 2]         // [2, 5, 8, 11]
        XCTAssertEqual(row.scalars, [3, 4, 5])
        XCTAssertEqual(last.scalars, [9, 10, 11])
        XCTAssertEqual(block.shape, [2, 2])
        XCTAssertEqual(column.scalars, [1, 4, 7, 10])
        XCTAssertEqual(everyOther.scalars, [0, 1, 2, 6, 7, 8])
        XCTAssertEqual(lastColumn.scalars, [2, 5, 8, 11])
        XCTAssertEqual(x[.slice(1, -1, step: 2)].scalars, [3, 4, 5])
        XCTAssertEqual(x[1..<3, 0..<2].scalars, [3, 4, 6, 7])
    }

    func testIntegerArrays() {
        let x = Tensor(shape: [4, 3], scalars: (0..<12).map(Float.init))
        let rows = x[[0, 2]]               // shape [2, 3]
        let picked = x[0..., [2, 0]]       // columns 2 and 0 of every row
        let indices = Tensor([Int64(3), 0, 3])
        let again = x[indices]             // rows 3, 0 and 3
        XCTAssertEqual(rows.shape, [2, 3])
        XCTAssertEqual(picked.scalars, [2, 0, 5, 3, 8, 6, 11, 9])
        XCTAssertEqual(again.scalars, [9, 10, 11, 0, 1, 2, 9, 10, 11])
        let corners = x[Tensor(shape: [2, 1], scalars: [Int64(0), 3]), Tensor([Int64(0), 2])]   // [[0, 2], [9, 11]]
        let cube = Tensor(shape: [2, 3, 4], scalars: (0..<24).map(Float.init))
        let adjacent = cube[0..., [0, 2], [1, 3]]      // shape [2, 2]: in place of axes 1 and 2
        let separated = cube[[0, 1], 0..., [1, 3]]     // shape [2, 3]: the broadcast axis first
        XCTAssertEqual(corners.scalars, [0, 2, 9, 11])
        XCTAssertEqual(adjacent.shape, [2, 2])
        XCTAssertEqual(separated.shape, [2, 3])
    }

    func testMasksAndAssignment() {
        let x = Tensor(shape: [4, 3], scalars: (0..<12).map(Float.init))
        let mask = Tensor(shape: [4, 3], scalars: (0..<12).map { $0 > 9 })
        let large = x[mask]                                  // [10, 11]
        let someRows = x[Tensor([true, false, true, false])] // rows 0 and 2
        let coordinates = mask.nonzero()                     // int64 [[3, 1], [3, 2]]
        XCTAssertEqual(large.scalars, [10, 11])
        XCTAssertEqual(someRows.shape, [2, 3])
        XCTAssertEqual(coordinates.scalars(as: Int64.self), [3, 1, 3, 2])
        var y = x
        y[[0, 2]] = Tensor(-1)                               // rows 0 and 2 become -1
        y[mask] = Tensor([100, 200])
        var counts = Tensor.zeros([3])
        counts.indexPut([[0, 2, 0]], values: Tensor([1, 1, 1]), accumulate: true)   // [2, 0, 1]
        XCTAssertEqual(y.scalars, [-1, -1, -1, 3, 4, 5, -1, -1, -1, 9, 100, 200])
        XCTAssertEqual(counts.scalars, [2, 0, 1])
        XCTAssertEqual(x[1].scalars, [3, 4, 5])
        XCTAssertEqual(x[-1].scalars, [9, 10, 11])
        XCTAssertEqual(x[0..., 1].shape, [4])
        XCTAssertEqual(x[..., 2].shape, [4])
        XCTAssertEqual(x[.every(2)].shape, [2, 3])
    }
}
