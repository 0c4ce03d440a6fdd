import XCTest
@testable import Nabla
import NablaTestSupport

final class LinalgTests: XCTestCase {
    let a = Tensor([[4, 3], [6, 3]])

    func testByHand() throws {
        try forEachBackend { _ in
            assertClose(try Linalg.solve(a, Tensor([10, 12])).scalars, [1, 2])
            assertClose(try Linalg.solve(a, Tensor([[10, 3], [12, 3]])).scalars, [1, 0, 2, 1])
            assertClose(try Linalg.inverse(a).scalars, [-0.5, 0.5, 1, -2.0 / 3])
            assertClose(Linalg.determinant(a).scalars, [-6])
            assertClose(Linalg.determinant(Tensor([[0, 1], [1, 0]])).scalars, [-1])
            assertClose(try Linalg.cholesky(Tensor([[4, 2], [2, 3]])).scalars, [2, 0, 1, Float(2).squareRoot()])
        }
    }

    func testSingularAndIndefiniteMatricesThrow() throws {
        try forEachBackend { kind in
            let singular = Tensor([[1, 2], [2, 4]])
            XCTAssertThrowsError(try Linalg.solve(singular, Tensor([1, 1]))) { error in
                XCTAssertEqual(error as? LinalgError, .singular(op: "solve", pivot: 2), "\(kind)")
                XCTAssertTrue("\(error)".contains("solve: the matrix is singular"))
            }
            XCTAssertThrowsError(try Linalg.inverse(singular)) { XCTAssertEqual($0 as? LinalgError, .singular(op: "inverse", pivot: 2)) }
            XCTAssertEqual(Linalg.determinant(singular).item, 0)
            XCTAssertThrowsError(try Linalg.cholesky(Tensor([[1, 2], [2, 1]]))) {
                XCTAssertEqual($0 as? LinalgError, .notPositiveDefinite(op: "cholesky", minor: 2))
            }
        }
    }

    func testBackendsAgreeOnRandomSystems() throws {
        let n = 50
        let m = randomTensor([n, n], seed: 31) + Tensor.eye(n) * Float(n)   // well conditioned
        let rhs = randomTensor([n, 3], seed: 32)
        let spd = m • m.transposed
        let results = try BackendKind.allCases.map { kind in
            try withBackend(kind) { [try Linalg.solve(m, rhs), try Linalg.inverse(m), Linalg.determinant(m / 50), try Linalg.cholesky(spd)] }
        }
        for (blas, reference) in zip(results[0], results[1]) { assertClose(blas, reference, tolerance: 1e-4) }
        // The solution solves the system, and L·Lᵀ gives back the matrix.
        assertClose(m • results[0][0], rhs, tolerance: 1e-4)
        assertClose(results[0][3] • results[0][3].transposed, spd, tolerance: 1e-4)
    }

    func testGradients() {
        let m = randomTensor([3, 3], seed: 33) + Tensor.eye(3) * 3
        forEachBackend { kind in
            for (name, result) in [
                ("solve", gradientCheck([m, randomTensor([3, 2], seed: 34)]) { try! Linalg.solve($0[0], $0[1]) }),
                ("solve vector", gradientCheck([m, randomTensor([3], seed: 35)]) { try! Linalg.solve($0[0], $0[1]) }),
                ("inverse", gradientCheck([m]) { try! Linalg.inverse($0[0]) }),
                ("determinant", gradientCheck([m]) { Linalg.determinant($0[0]) }),
            ] {
                XCTAssertTrue(result.passed, "\(name) on \(kind): \(result)")
            }
        }
    }

    func testShapeErrors() {
        assertFails("solve: needs a square matrix, got shape [2, 3]") { _ = try? Linalg.solve(Tensor.zeros([2, 3]), Tensor.zeros([2])) }
        assertFails("solve: A of shape [2, 2] and B of shape [3] do not fit: B needs 2 rows") { _ = try? Linalg.solve(Tensor.eye(2), Tensor.zeros([3])) }
        assertFails("cholesky: gradients are not implemented") { _ = try? Linalg.cholesky(Tensor.eye(2).requiringGrad()) }
    }
}
