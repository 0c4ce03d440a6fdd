import Foundation
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
                XCTAssertEqual(error as? LinalgError, .singular(op: "solve", shape: [2, 2], matrix: 0, info: 2), "\(kind)")
                XCTAssertEqual("\(error)", "solve: the matrix of shape [2, 2] is singular (LAPACK getrf info 2: U[1, 1] of its LU factorisation is zero)")
            }
            XCTAssertThrowsError(try Linalg.inverse(singular)) { XCTAssertEqual($0 as? LinalgError, .singular(op: "inverse", shape: [2, 2], matrix: 0, info: 2)) }
            XCTAssertThrowsError(try Linalg.inverse(Tensor.stack([Tensor.eye(2), singular]))) {
                XCTAssertEqual("\($0)", "inverse: matrix 1 of the batch of shape [2, 2, 2] is singular (LAPACK getrf info 2: U[1, 1] of its LU factorisation is zero)")
            }
            XCTAssertEqual(Linalg.determinant(singular).item, 0)
            let (sign, logAbs) = Linalg.slogdet(singular)
            XCTAssertEqual(sign.item, 0)
            XCTAssertEqual(logAbs.item, -.infinity)
            XCTAssertThrowsError(try Linalg.cholesky(Tensor([[1, 2], [2, 1]]))) {
                XCTAssertEqual($0 as? LinalgError, .notPositiveDefinite(op: "cholesky", shape: [2, 2], matrix: 0, info: 2))
                XCTAssertEqual("\($0)", "cholesky: the matrix of shape [2, 2] is not positive definite (LAPACK potrf info 2: its leading minor of order 2 is not)")
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

    func testBatchesMatchOneMatrixAtATime() throws {
        let batch = randomTensor([3, 4, 4], seed: 36) + Tensor.eye(4) * 4, rhs = randomTensor([4, 2], seed: 37)
        try forEachBackend { kind in
            let solved = try Linalg.solve(batch, rhs)   // B broadcast over the batch
            let vectors = try Linalg.solve(batch, randomTensor([3, 4], seed: 38))
            XCTAssertEqual(solved.shape, [3, 4, 2])
            XCTAssertEqual(vectors.shape, [3, 4])
            let spd = batch • batch.transposed
            let (sign, logAbs) = Linalg.slogdet(batch)
            for i in 0..<3 {
                assertClose(solved[i], try Linalg.solve(batch[i], rhs), tolerance: 1e-5, "\(kind)")
                assertClose(vectors[i], try Linalg.solve(batch[i], randomTensor([3, 4], seed: 38)[i]), tolerance: 1e-5)
                assertClose(try Linalg.inverse(batch)[i], try Linalg.inverse(batch[i]), tolerance: 1e-5)
                assertClose(Linalg.determinant(batch)[i], Linalg.determinant(batch[i]), tolerance: 1e-4)
                assertClose(try Linalg.cholesky(spd)[i], try Linalg.cholesky(spd[i]), tolerance: 1e-5)
                let determinant = Linalg.determinant(batch[i]).item
                XCTAssertEqual(sign[i].item, determinant < 0 ? -1 : 1)
                assertClose([logAbs[i].item], [Foundation.log(Swift.abs(determinant))], tolerance: 1e-5)
            }
        }
    }

    func testGradients() {
        let m = randomTensor([3, 3], seed: 33) + Tensor.eye(3) * 3
        forEachBackend { kind in
            for (name, result) in [
                ("solve", gradientCheck([m, randomTensor([3, 2], seed: 34)]) { try! Linalg.solve($0[0], $0[1]) }),
                ("solve vector", gradientCheck([m, randomTensor([3], seed: 35)]) { try! Linalg.solve($0[0], $0[1]) }),
                ("inverse", gradientCheck([m]) { try! Linalg.inverse($0[0]) }),
                ("determinant", gradientCheck([m]) { Linalg.determinant($0[0]) }),
                ("slogdet", gradientCheck([m]) { Linalg.slogdet($0[0]).logAbsDeterminant }),
                ("batched solve, B broadcast", gradientCheck([randomTensor([2, 3, 3], seed: 39) + Tensor.eye(3) * 3, randomTensor([3, 2], seed: 40)]) {
                    try! Linalg.solve($0[0], $0[1])
                }),
                ("batched determinant", gradientCheck([randomTensor([2, 3, 3], seed: 41) + Tensor.eye(3) * 3]) { Linalg.determinant($0[0]) }),
                // cholesky reads one triangle: check it on the symmetric X·Xᵀ + 3I.
                ("cholesky", gradientCheck([randomTensor([2, 3, 3], seed: 42)]) {
                    try! Linalg.cholesky($0[0] • $0[0].transposed + Tensor.eye(3) * 3)
                }),
            ] {
                XCTAssertTrue(result.passed, "\(name) on \(kind): \(result)")
            }
        }
    }

    func testShapeErrors() {
        assertFails("solve: needs a square matrix or a batch of them [..., n, n], got shape [2, 3]") { _ = try? Linalg.solve(Tensor.zeros([2, 3]), Tensor.zeros([2])) }
        assertFails("solve: A of shape [2, 2] and B of shape [3] do not fit: B needs 2 rows") { _ = try? Linalg.solve(Tensor.eye(2), Tensor.zeros([3])) }
        assertFails("solve: the batch axes of A of shape [2, 2, 2] and B of shape [3, 2, 1] cannot be broadcast together") {
            _ = try? Linalg.solve(Tensor.zeros([2, 2, 2]), Tensor.zeros([3, 2, 1]))
        }
        assertFails("cholesky: needs a square matrix or a batch of them [..., n, n], got shape [3, 2]") { _ = try? Linalg.cholesky(Tensor.zeros([3, 2])) }
    }
}
