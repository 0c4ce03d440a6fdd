import XCTest
import NablaTestSupport
@testable import Nabla

/// Movement and selection ops of issue 10, and the subscript getters (steps, ellipsis, Python bounds).
final class SelectionTests: XCTestCase {
    let grid = Tensor(shape: [3, 4], scalars: (0..<12).map(Float.init))

    func testFlipRollRepeatTile() {
        forEachBackend { _ in
            XCTAssertEqual(grid.flip(axes: [0]).scalars, [8, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3])
            XCTAssertEqual(grid.flip(axes: [0, -1]).scalars, (0..<12).reversed().map(Float.init))
            XCTAssertEqual(grid.transposed.flip(axes: [1]).scalars, [8, 4, 0, 9, 5, 1, 10, 6, 2, 11, 7, 3])
            XCTAssertEqual(grid.roll(shifts: [1], axes: [1]).scalars, [3, 0, 1, 2, 7, 4, 5, 6, 11, 8, 9, 10])
            XCTAssertEqual(grid.roll(shifts: [-1, 6], axes: [0, 1]).scalars, [6, 7, 4, 5, 10, 11, 8, 9, 2, 3, 0, 1])
            XCTAssertEqual(grid.roll(13).scalars, [11] + (0..<11).map(Float.init))
            XCTAssertEqual(Tensor([1, 2]).repeat([2, 2]).scalars, [1, 2, 1, 2, 1, 2, 1, 2])
            XCTAssertEqual(Tensor([1, 2]).repeat([2, 2]).shape, [2, 4])
            XCTAssertEqual(Tensor([[1], [2]]).repeat([1, 3]).scalars, [1, 1, 1, 2, 2, 2])
            XCTAssertEqual(Tensor([[1, 2]]).tile([2]).scalars, [1, 2, 1, 2])
            XCTAssertEqual(Tensor([1, 2]).repeat([0, 1]).shape, [0, 2])
        }
    }

    func testNarrowSplitChunk() {
        XCTAssertEqual(grid.narrow(axis: 1, start: 1, length: 2).scalars, [1, 2, 5, 6, 9, 10])
        XCTAssertEqual(grid.narrow(axis: 0, start: -1, length: 1).scalars, [8, 9, 10, 11])
        XCTAssertEqual(grid.split(size: 3, axis: 1).map(\.shape), [[3, 3], [3, 1]])
        XCTAssertEqual(grid.split(sizes: [1, 2]).map(\.shape), [[1, 4], [2, 4]])
        XCTAssertEqual(grid.chunk(2, axis: 1).map(\.scalars), [[0, 1, 4, 5, 8, 9], [2, 3, 6, 7, 10, 11]])
        XCTAssertEqual(grid.chunk(2).map(\.shape), [[2, 4], [1, 4]])
        XCTAssertEqual(Tensor.zeros([5]).chunk(3).map(\.shape), [[2], [2], [1]])
        XCTAssertEqual(Tensor.zeros([2]).chunk(3).map(\.shape), [[1], [1]])   // fewer than asked, as PyTorch's
        XCTAssertTrue(grid.split(size: 2)[1].storage === grid.storage)
    }

    func testIndexSelectAndGather() {
        forEachBackend { _ in
            XCTAssertEqual(grid.indexSelect(axis: 1, Tensor([3, 0, 3])).scalars, [3, 0, 3, 7, 4, 7, 11, 8, 11])
            XCTAssertEqual(grid.indexSelect(axis: 0, [2]).scalars, [8, 9, 10, 11])
            XCTAssertEqual(grid.transposed.indexSelect(axis: 0, [1]).scalars, [1, 5, 9])
            XCTAssertEqual(grid.gather(axis: 1, indices: Tensor([[0, 0], [1, 3], [2, 1]])).scalars, [0, 0, 5, 7, 10, 9])
            XCTAssertEqual(grid.gather(axis: 0, indices: Tensor([[2, 0]])).scalars, [8, 1])
        }
    }

    func testSortAndTopk() {
        forEachBackend { _ in
            let x = Tensor([[3, 1, .nan, 1, 2], [5, -1, 0, 5, 4]])
            let (values, indices) = x.sort()
            XCTAssertEqual(indices.scalars, [1, 3, 4, 0, 2, 1, 2, 4, 0, 3])     // stable, NaN last
            XCTAssertEqual(Array(values.scalars[0...3]), [1, 1, 2, 3])
            XCTAssertTrue(values.scalars[4].isNaN)
            XCTAssertEqual(x.sort(descending: true).indices.scalars, [2, 0, 4, 1, 3, 0, 3, 4, 2, 1])   // NaN first
            XCTAssertEqual(x.argsort(axis: 0).scalars, x.sort(axis: 0).indices.scalars)
            XCTAssertEqual(x.sort(axis: 0).indices.scalars, [0, 1, 1, 0, 0, 1, 0, 0, 1, 1])
            let (top, where_) = x.topk(2)
            XCTAssertEqual(where_.scalars, [2, 0, 0, 3])
            XCTAssertEqual(Array(top.scalars[1...]), [3, 5, 5])
            XCTAssertEqual(x.topk(1, axis: 0, largest: false).values.scalars, [3, -1, 0, 1, 2])
            XCTAssertEqual(Tensor.zeros([2, 0]).sort().values.shape, [2, 0])
        }
    }

    func testDotAndOuter() {
        forEachBackend { kind in
            let a = Tensor([1, 2, 3]), b = Tensor([4, 5, 6])
            XCTAssertEqual(a.dot(b).item, 32, "\(kind)")
            XCTAssertEqual(a.dot(b).shape, [])
            let column = grid[0..., 1], otherColumn = grid[0..., 2]
            XCTAssertEqual(column.dot(otherColumn).item, 122)        // strided operands: 1·2 + 5·6 + 9·10
            XCTAssertEqual(Tensor([2]).expand(to: [3]).dot(a).item, 12)                   // stride 0
            XCTAssertEqual(Tensor.zeros([0]).dot(Tensor.zeros([0])).item, 0)
            XCTAssertEqual(a.outer(Tensor([1, 10])).scalars, [1, 10, 2, 20, 3, 30])
        }
    }

    func testSubscriptGetters() {
        let t = Tensor(shape: [2, 3, 4], scalars: (0..<24).map(Float.init))
        XCTAssertEqual(grid[.every(2)].scalars, [0, 1, 2, 3, 8, 9, 10, 11])
        XCTAssertEqual(grid[0..., .every(3)].scalars, [0, 3, 4, 7, 8, 11])
        XCTAssertEqual(grid[1, .slice(1, nil, step: 2)].scalars, [5, 7])
        XCTAssertEqual(grid[.slice(-2, nil), .slice(nil, -1, step: 2)].scalars, [4, 6, 8, 10])
        XCTAssertEqual(grid[.slice(5, 9)].shape, [0, 4])
        XCTAssertEqual(t[..., 1].shape, [2, 3])
        XCTAssertEqual(t[..., 1].scalars, [1, 5, 9, 13, 17, 21])
        XCTAssertEqual(t[1, .ellipsis, 0].scalars, [12, 16, 20])
        XCTAssertEqual(t[.ellipsis].shape, [2, 3, 4])
        XCTAssertEqual(t[..., 0, 1, 2].item, 6)
        XCTAssertEqual(t[0, 1, 2, .ellipsis].item, 6)
        XCTAssertEqual(t[..., 1...].shape, [2, 3, 3])
        // A stepped view shares storage; its gradient lands on the picked positions.
        XCTAssertTrue(grid[.every(2)].storage === grid.storage)
        let x = Tensor.zeros([5], requiresGrad: true)
        (x[.slice(1, nil, step: 2)] * Tensor([3, 4])).sum().backward()
        XCTAssertEqual(x.grad?.scalars, [0, 3, 0, 4, 0])
    }

    func testGradients() {
        let x = randomTensor([3, 4], seed: 51), v = randomTensor([4], seed: 52)
        forEachBackend { kind in
            let cases: [(String, (Tensor) -> Tensor)] = [
                ("flip", { $0.flip(axes: [0, 1]) }), ("roll", { $0.roll(shifts: [1, -2], axes: [0, 1]) }), ("roll flat", { $0.roll(5) }),
                ("repeat", { $0.repeat([2, 1, 2]) }), ("tile", { $0.tile([2]) }),
                ("split", { $0.split(size: 3, axis: 1)[1] * 2 }), ("chunk", { $0.chunk(2)[0] }),
                ("indexSelect", { $0.indexSelect(axis: 1, [3, 3, 0]) }),
                ("gather", { $0.gather(axis: 0, indices: Tensor([[2, 0, 0, 1]])) }),
                ("stepped", { $0[.every(2), .slice(1, nil, step: 2)] }), ("ellipsis", { $0[..., 2] }),
                ("dot", { $0[1].dot(v) }), ("outer", { $0[0].outer(v) }),
            ]
            for (name, op) in cases {
                let check = gradientCheck([x]) { op($0[0]) }
                XCTAssertTrue(check.passed, "\(kind) \(name): \(check)")
            }
            // Sorting needs values further apart than the finite-difference step.
            let spread = Tensor(shape: [3, 4], scalars: [5, 0, 9, 2, 11, 7, 1, 8, 3, 10, 6, 4].map { Float($0) * 0.3 })
            for (name, op) in [("sort", { (t: Tensor) in t.sort(axis: 0).values }), ("sort descending", { $0.sort(descending: true).values }),
                               ("topk", { $0.topk(2).values }), ("topk smallest", { $0.topk(2, axis: 0, largest: false).values })] {
                let check = gradientCheck([spread]) { op($0[0]) }
                XCTAssertTrue(check.passed, "\(kind) \(name): \(check)")
            }
            let both = gradientCheck([v, v * 2]) { $0[0].dot($0[1]) + $0[0].outer($0[1]).sum() }
            XCTAssertTrue(both.passed, "\(kind) dot/outer: \(both)")
        }
    }

    func testErrors() {
        assertFails("indexSelect: index 4 is out of range for axis 1 of extent 4") { _ = self.grid.indexSelect(axis: 1, [4]) }
        assertFails("indexSelect: index 0.5 at position 0 is not an integer") { _ = self.grid.indexSelect(axis: 1, Tensor([0.5])) }
        assertFails("gather: indices of shape [4, 1] do not fit a tensor of shape [3, 4]") {
            _ = self.grid.gather(axis: 1, indices: Tensor.zeros([4, 1]))
        }
        assertFails("narrow: start 3 and length 2 do not fit axis 0 of extent 3") { _ = self.grid.narrow(axis: 0, start: 3, length: 2) }
        assertFails("split: sizes [1, 1] do not add up to the extent 3 of axis 0") { _ = self.grid.split(sizes: [1, 1]) }
        assertFails("topk: k = 5 is out of range for axis -1 of extent 4") { _ = self.grid.topk(5) }
        assertFails("repeat: 1 counts given for a tensor of shape [3, 4]; give at least 2") { _ = self.grid.repeat([2]) }
        assertFails("roll: 2 shifts given for 1 axes") { _ = self.grid.roll(shifts: [1, 2], axes: [0]) }
        assertFails("dot: needs two vectors of one length, got [3] and [4]") { _ = Tensor.zeros([3]).dot(Tensor.zeros([4])) }
        assertFails("outer: needs two vectors") { _ = self.grid.outer(Tensor.zeros([2])) }
    }
}
