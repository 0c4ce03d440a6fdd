import XCTest
import NablaTestSupport
@testable import Nabla

/// einsum, diagonals and cumprod against hand-computed values on both backends, finite-difference
/// gradient checks, and the messages of bad equations. PyTorch agreement is in EinsumTable.
final class EinsumTests: XCTestCase {
    let a = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
    let b = Tensor(shape: [3, 2], scalars: [1, 0, -1, 2, 0.5, 1])

    func testEinsumHandValues() {
        forEachBackend { _ in
            XCTAssertEqual(Tensor.einsum("ij,jk->ik", a, b).scalars, [0.5, 7, 2, 16])
            XCTAssertEqual(Tensor.einsum("ij,jk", a, b).scalars, [0.5, 7, 2, 16])
            XCTAssertEqual(Tensor.einsum("ij->ji", a).shape, [3, 2])
            XCTAssertEqual(Tensor.einsum("ji", a).scalars, [1, 4, 2, 5, 3, 6])
            XCTAssertEqual(Tensor.einsum("ij->", a).item, 21)
            XCTAssertEqual(Tensor.einsum("ij->j", a).scalars, [5, 7, 9])
            let square = Tensor(shape: [3, 3], scalars: [1, 2, 3, 4, 5, 6, 7, 8, 9])
            XCTAssertEqual(Tensor.einsum("ii", square).item, 15)
            XCTAssertEqual(Tensor.einsum("ii->i", square).scalars, [1, 5, 9])
            XCTAssertEqual(Tensor.einsum("i,j->ij", Tensor([1, 2]), Tensor([3, 4, 5])).scalars, [3, 4, 5, 6, 8, 10])
            XCTAssertEqual(Tensor.einsum("i,i", Tensor([1, 2, 3]), Tensor([4, 5, 6])).item, 32)
            // Batched: each batch's own product.
            let batch = Tensor.stack([a, a * 2])
            XCTAssertEqual(Tensor.einsum("bij,jk->bik", batch, b).scalars, [0.5, 7, 2, 16, 1, 14, 4, 32])
            // ... broadcasts and, left out of the output, is summed.
            XCTAssertEqual(Tensor.einsum("...j,j->...", batch, Tensor([1, 1, 1])).scalars, [6, 15, 12, 30])
            XCTAssertEqual(Tensor.einsum("...ij->ij", batch).scalars, [3, 6, 9, 12, 15, 18])
            // An extent-1 axis broadcasts against the same subscript's extent.
            XCTAssertEqual(Tensor.einsum("ij,ij->i", a, Tensor([[1, 0, 1]])).scalars, [4, 10])
            // Implicit output sorts capitals first, as torch.
            XCTAssertEqual(Tensor.einsum("bA,ab", Tensor.ones([2, 3]), Tensor.ones([3, 2])).shape, [3, 3])
            // Three operands, contracted left to right.
            XCTAssertEqual(Tensor.einsum("ij,jk,k->i", a, b, Tensor([1, -1])).scalars, [-6.5, -14])
        }
    }

    /// A product is one gemm: the result is bitwise the matmul's, not a loop's differently rounded sum.
    func testEinsumProductsAreTheMatmulsGemm() {
        let x = randomTensor([64, 48], seed: 20), y = randomTensor([48, 32], seed: 21), batch = randomTensor([3, 64, 48], seed: 22)
        forEachBackend { _ in
            XCTAssertEqual(Tensor.einsum("ij,jk->ik", x, y).scalars, x.matmul(y).scalars)
            XCTAssertEqual(Tensor.einsum("ij,kj->ik", x, y.transposed).scalars, x.matmul(y).scalars)
            XCTAssertEqual(Tensor.einsum("bij,jk->bik", batch, y).scalars, batch.matmul(y).scalars)
        }
    }

    func testEinsumGradients() {
        let x = randomTensor([3, 4], seed: 1), y = randomTensor([4, 5], seed: 2), z = randomTensor([5], seed: 3)
        let square = randomTensor([4, 4], seed: 4), batch = randomTensor([2, 3, 4], seed: 5)
        assertGradientsMatch([x, y], "ij,jk->ik") { Tensor.einsum("ij,jk->ik", $0[0], $0[1]) }
        assertGradientsMatch([x, y, z], "ij,jk,k->i") { Tensor.einsum("ij,jk,k->i", $0[0], $0[1], $0[2]) }
        assertGradientsMatch([square], "ii->i") { Tensor.einsum("ii->i", $0[0]) }
        assertGradientsMatch([batch, y], "...j,jk->k...") { Tensor.einsum("...j,jk->k...", $0[0], $0[1]) }
        assertGradientsMatch([x, randomTensor([1, 4], seed: 6)], "ij,ij->j broadcast") { Tensor.einsum("ij,ij->j", $0[0], $0[1]) }
    }

    func testEinsumMessagesNameTheProblem() {
        let x = Tensor.zeros([2, 3])
        assertFails("einsum: invalid subscript given at index 1 in the equation string, subscripts must be in [a-zA-Z]") { _ = Tensor.einsum("i1->i", x) }
        assertFails("einsum: fewer operands were provided than specified in the equation") { _ = Tensor.einsum("ij,jk", x) }
        assertFails("einsum: more operands were provided than specified in the equation") { _ = Tensor.einsum("ij", x, x) }
        assertFails("einsum: the number of subscripts in the equation (3) does not match the number of dimensions (2) for operand 0 and no ellipsis was given") {
            _ = Tensor.einsum("ijk->ij", x)
        }
        assertFails("einsum: subscript j has size 2 for operand 1 which does not broadcast with previously seen size 3") {
            _ = Tensor.einsum("ij,jk->ik", x, Tensor.zeros([2, 4]))
        }
        assertFails("einsum: subscript i is repeated for operand 0 but the sizes don't match, 3 != 2") { _ = Tensor.einsum("ii->i", x) }
        assertFails("einsum: output subscript k does not appear in the equation for any input operand") { _ = Tensor.einsum("ij->k", x) }
        assertFails("einsum: output subscript i appears more than once in the output") { _ = Tensor.einsum("ij->ii", x) }
        assertFails("einsum: found '.' for operand 0 that is not part of any ellipsis") { _ = Tensor.einsum("i.j", x) }
    }

    func testDiagonalDiagAndTrace() {
        let m = Tensor(shape: [3, 4], scalars: (0..<12).map(Float.init))
        XCTAssertEqual(m.diagonal().scalars, [0, 5, 10])
        XCTAssertEqual(m.diagonal(offset: 1).scalars, [1, 6, 11])
        XCTAssertEqual(m.diagonal(offset: -1).scalars, [4, 9])
        XCTAssertEqual(m.diagonal(offset: 4).shape, [0])
        let cube = Tensor(shape: [2, 2, 3], scalars: (0..<12).map(Float.init))
        // Axes 0 and 2 are removed and their diagonal appended: shape [2 (axis 1), 2].
        XCTAssertEqual(cube.diagonal(axis1: 0, axis2: 2).scalars, [0, 7, 3, 10])
        XCTAssertEqual(Tensor([1, 2]).diag().scalars, [1, 0, 0, 2])
        XCTAssertEqual(Tensor([1, 2]).diag(offset: 1).scalars, [0, 1, 0, 0, 0, 2, 0, 0, 0])
        XCTAssertEqual(m.diag(offset: 2).scalars, [2, 7])
        XCTAssertEqual(m.trace().item, 15)
        assertGradientsMatch([randomTensor([3, 4], seed: 7)], "diagonal(offset: 1)") { $0[0].diagonal(offset: 1) }
        assertGradientsMatch([randomTensor([2, 3, 3], seed: 8)], "diagonal(axis1: 1, axis2: 2)") { $0[0].diagonal(offset: -1, axis1: 1, axis2: 2) }
        assertGradientsMatch([randomTensor([3], seed: 9)], "diag of a vector") { $0[0].diag(offset: -2) }
        assertGradientsMatch([randomTensor([4, 4], seed: 10)], "trace") { $0[0].trace() }
        assertFails("diagonal: axis1 and axis2 must differ, both are 1 (shape [3, 4])") { _ = m.diagonal(axis1: 1, axis2: -1) }
        assertFails("diag: expected a vector or a matrix, got a tensor of shape [2, 2, 3]") { _ = cube.diag() }
        assertFails("trace: expected a matrix, got a tensor of shape [2]") { _ = Tensor([1, 2]).trace() }
    }

    /// diag of a vector and the diagonal's gradient are built on zeros of the values' dtype:
    /// a float64 value that float32 cannot hold survives both, and an int64 diag stays int64.
    func testDiagAndDiagonalGradientKeepTheDType() {
        let fine = 1 + 1e-10
        let matrix = Tensor([fine, 2]).to(.float64).diag()
        XCTAssertEqual(matrix.dtype, .float64)
        XCTAssertEqual(matrix.scalars(as: Double.self), [fine, 0, 0, 2])
        XCTAssertEqual(Tensor([Int64(3), 4]).diag(offset: 1).dtype, .int64)
        let square = Tensor.ones([2, 2]).to(.float64).requiringGrad()
        square.diagonal().backward(gradient: Tensor([fine, fine]).to(.float64))
        XCTAssertEqual(square.grad?.scalars(as: Double.self), [fine, 0, 0, fine])
    }

    func testCumprodValuesAndGradientWithZeros() {
        forEachBackend { _ in
            let x = Tensor(shape: [2, 4], scalars: [2, 3, 0.5, -1, 2, 0, 3, 4])
            XCTAssertEqual(x.cumprod(axis: 1).scalars, [2, 6, 3, -3, 2, 0, 0, 0])
            XCTAssertEqual(x.cumprod(axis: 0).scalars, [2, 3, 0.5, -1, 4, 0, 1.5, -4])
            XCTAssertEqual(Tensor(3).cumprod(axis: 0).item, 3)
            // d/dx of Σ cumprod for [2, 0, 3, 4]: at the zero 2 + 2·3 + 2·3·4 = 32, before it 1 + 0 + 0 + 0, after it 0.
            let leaf = Tensor([2, 0, 3, 4], requiresGrad: true)
            leaf.cumprod(axis: 0).sum().backward()
            XCTAssertEqual(leaf.grad?.scalars, [1, 32, 0, 0])
            let twoZeros = Tensor([0, 5, 0, 2], requiresGrad: true)
            twoZeros.cumprod(axis: 0).sum().backward()
            XCTAssertEqual(twoZeros.grad?.scalars, [6, 0, 0, 0])
        }
        assertGradientsMatch([randomTensor([3, 5], seed: 11)], "cumprod axis 1") { $0[0].cumprod(axis: 1) }
        assertGradientsMatch([randomTensor([4, 3], seed: 12)], "cumprod axis 0") { $0[0].cumprod(axis: 0) }
        let zeroed = Tensor(shape: [2, 4], scalars: [0.5, 0, 1.5, -1, 0, 2, 0, 1])
        assertGradientsMatch([zeroed], "cumprod with zeros") { $0[0].cumprod(axis: 1) }
    }
}
