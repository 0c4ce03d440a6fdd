import XCTest
@testable import Nabla

final class MovementTests: XCTestCase {
    let grid = Tensor(shape: [3, 4], scalars: (0..<12).map(Float.init))

    func testReshapeAndFlattenAreViews() {
        let r = grid.reshape([2, -1])
        XCTAssertEqual(r.shape, [2, 6])
        XCTAssertTrue(r.storage === grid.storage)
        XCTAssertEqual(grid.reshape([-1]).shape, [12])
        XCTAssertEqual(Tensor.zeros([2, 3, 4]).flatten(startAxis: 1).shape, [2, 12])
        XCTAssertEqual(Tensor.zeros([2, 3, 4]).flatten().shape, [24])
        // A transposed tensor is not contiguous: reshape copies it, in row-major order of the view.
        XCTAssertEqual(grid.transposed.reshape([12]).scalars, [0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11])
    }

    func testSqueezeUnsqueeze() {
        let t = Tensor.zeros([2, 1, 3])
        XCTAssertEqual(t.squeeze(axis: 1).shape, [2, 3])
        XCTAssertEqual(t.squeeze().shape, [2, 3])
        XCTAssertEqual(t.unsqueeze(axis: 0).shape, [1, 2, 1, 3])
        XCTAssertEqual(t.unsqueeze(axis: -1).shape, [2, 1, 3, 1])
    }

    func testPermuteTransposeExpand() {
        let t = Tensor(shape: [2, 3, 4], scalars: (0..<24).map(Float.init))
        let p = t.permute([2, 0, 1])
        XCTAssertEqual(p.shape, [4, 2, 3])
        XCTAssertEqual(p[1, 1, 2].item, t[1, 2, 1].item)
        XCTAssertTrue(p.storage === t.storage)
        XCTAssertEqual(grid.transpose(0, 1).shape, [4, 3])
        let e = Tensor([1, 2, 3]).expand(to: [2, 3])
        XCTAssertEqual(e.strides, [0, 1])
        XCTAssertEqual(e.scalars, [1, 2, 3, 1, 2, 3])
    }

    func testSlicing() {
        XCTAssertEqual(grid[1].scalars, [4, 5, 6, 7])
        XCTAssertEqual(grid[-1].scalars, [8, 9, 10, 11])
        XCTAssertEqual(grid[0..<2, 1..<3].scalars, [1, 2, 5, 6])
        XCTAssertEqual(grid[1...2, 2...].scalars, [6, 7, 10, 11])
        XCTAssertEqual(grid[..<1, ...1].scalars, [0, 1])
        XCTAssertEqual(grid[0..<3, 3].scalars, [3, 7, 11])
        XCTAssertEqual(grid[2, 1].item, 9)
        XCTAssertEqual(grid[1..<1].shape, [0, 4])
        let image = Tensor(shape: [28, 28], scalars: (0..<784).map(Float.init))
        let patch = image[4..<15, 4..<22]
        XCTAssertEqual(patch.shape, [11, 18])
        XCTAssertEqual(patch[0, 0].item, 4 * 28 + 4)
        XCTAssertTrue(patch.storage === image.storage)
    }

    func testStackCatGather() {
        let a = Tensor([[1, 2], [3, 4]]), b = Tensor([[5, 6], [7, 8]])
        XCTAssertEqual(Tensor.cat([a, b]).scalars, [1, 2, 3, 4, 5, 6, 7, 8])
        XCTAssertEqual(Tensor.cat([a, b], axis: 1).scalars, [1, 2, 5, 6, 3, 4, 7, 8])
        XCTAssertEqual(Tensor.cat([a, Tensor([[9, 9]])]).shape, [3, 2])
        XCTAssertEqual(Tensor.stack([a, b]).shape, [2, 2, 2])
        XCTAssertEqual(Tensor.stack([a, b], axis: 2).scalars, [1, 5, 2, 6, 3, 7, 4, 8])
        XCTAssertEqual(Tensor.stack([a.transposed, b]).scalars, [1, 3, 2, 4, 5, 6, 7, 8])
        XCTAssertEqual(a.gather(rows: [1, 1, 0]).scalars, [3, 4, 3, 4, 1, 2])
    }

    func testCreation() {
        XCTAssertEqual(Tensor.arange(4).scalars, [0, 1, 2, 3])
        XCTAssertEqual(Tensor.arange(from: 1, to: 2, step: 0.25).scalars, [1, 1.25, 1.5, 1.75])
        XCTAssertEqual(Tensor.linspace(0, 1, count: 5).scalars, [0, 0.25, 0.5, 0.75, 1])
        XCTAssertEqual(Tensor.eye(2).scalars, [1, 0, 0, 1])
        XCTAssertEqual(Tensor.full([2], 7).scalars, [7, 7])
        XCTAssertEqual(Tensor(5).shape, [])
        XCTAssertEqual(Tensor([[[1, 2]], [[3, 4]]]).shape, [2, 1, 2])
    }

    func testSeededRandomIsReproducible() {
        var g1 = RandomGenerator(seed: 42), g2 = RandomGenerator(seed: 42)
        XCTAssertEqual(Tensor.randn([100], generator: &g1).scalars, Tensor.randn([100], generator: &g2).scalars)
        // Fixed values: the same on every machine.
        var g = RandomGenerator(seed: 1)
        let first = Tensor.rand([3], generator: &g).scalars
        var again = RandomGenerator(seed: 1)
        XCTAssertEqual(first, (0..<3).map { _ in again.nextFloat() })
        var n = RandomGenerator(seed: 2024)
        let normals = Tensor.randn([20000], generator: &n)
        XCTAssertEqual(normals.mean().item, 0, accuracy: 0.03)
        XCTAssertEqual((normals * normals).mean().item, 1, accuracy: 0.03)
        var u = RandomGenerator(seed: 9)
        let uniforms = Tensor.rand([20000], generator: &u)
        XCTAssertGreaterThanOrEqual(uniforms.min().item, 0)
        XCTAssertLessThan(uniforms.max().item, 1)
        var p = RandomGenerator(seed: 3)
        XCTAssertEqual(p.permutation(10).sorted(), Array(0..<10))
    }

    func testDescription() {
        XCTAssertEqual(Tensor([[1, 2], [3, 4]]).description, "tensor([[1., 2.],\n        [3., 4.]], shape: [2, 2])")
        XCTAssertEqual(Tensor([0.5, -1.25]).description, "tensor([ 0.5000, -1.2500], shape: [2])")
        XCTAssertEqual(Tensor(3).description, "tensor(3., shape: [])")
        let large = Tensor.zeros([100, 100]).description
        XCTAssertTrue(large.contains("..."))
        XCTAssertLessThan(large.count, 400)
    }
}
