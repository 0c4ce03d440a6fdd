import Foundation
import XCTest
@testable import Nabla

/// Issue 24 item 3: NaN arguments, empty matrices and magnitudes near the ends of
/// Float's range, on both backends, with PyTorch 2.13's results as the expected values.
/// Before the fix, LAPACKE's NaN scan (a negative info) was read as "singular U[−5, −5]"
/// and crashed `determinant`, a NaN right-hand side stopped `solve`, empty matrices
/// stopped `cond` and `matrixNorm(.two)`, and the reference backend's squares overflowed.
final class LinalgNonFiniteAndRangeTests: XCTestCase {
    let withNaN = Tensor([[1, .nan], [3, 4]])

    func testDeterminantOfANaNMatrixIsNaN() {
        forEachBackend { kind in
            XCTAssertTrue(Linalg.determinant(withNaN).item.isNaN, "\(kind)")
            XCTAssertTrue(Linalg.determinant(Tensor([[.nan, 0], [0, 1]])).item.isNaN, "\(kind)")
            // In a batch, only the matrix with the NaN is NaN.
            let batch = Linalg.determinant(Tensor.stack([withNaN, Tensor([[4, 3], [6, 3]])])).scalars
            XCTAssertTrue(batch[0].isNaN, "\(kind)")
            XCTAssertEqual(batch[1], -6, accuracy: 1e-5, "\(kind)")
        }
    }

    func testSlogdetOfANaNMatrixHasSignZeroAndANaNLogarithm() {
        forEachBackend { kind in
            for matrix in [withNaN, Tensor([[2, 0, 0], [0, .nan, 0], [0, 0, -1]]), Tensor([[.nan, 1], [1, .nan]])] {
                let (sign, logAbs) = Linalg.slogdet(matrix)
                XCTAssertEqual(sign.item, 0, "\(kind) \(matrix.scalars)")
                XCTAssertTrue(logAbs.item.isNaN, "\(kind) \(matrix.scalars)")
            }
            // An infinity is not a NaN: torch gives sign −1 and log ∞ here.
            let (sign, logAbs) = Linalg.slogdet(Tensor([[1, .infinity], [3, 4]]))
            XCTAssertEqual(sign.item, -1, "\(kind)")
            XCTAssertEqual(logAbs.item, .infinity, "\(kind)")
        }
    }

    func testSolveAndInverseSpreadNaNInsteadOfStopping() throws {
        try forEachBackend { kind in
            let a = Tensor([[4, 1], [1, 3]])
            XCTAssertTrue(try Linalg.solve(a, Tensor([.nan, 2])).scalars.allSatisfy(\.isNaN), "\(kind)")
            XCTAssertTrue(try Linalg.solve(withNaN, Tensor([1, 2])).scalars.allSatisfy(\.isNaN), "\(kind)")
            XCTAssertTrue(try Linalg.inverse(withNaN).scalars.allSatisfy(\.isNaN), "\(kind)")
            // The NaN stays in its own column of B.
            let x = try Linalg.solve(a, Tensor([[.nan, 1], [2, 2]])).scalars
            XCTAssertTrue(x[0].isNaN && x[2].isNaN, "\(kind)")
            XCTAssertEqual(x[1], 1.0 / 11, accuracy: 1e-6, "\(kind)")
            XCTAssertEqual(x[3], 7.0 / 11, accuracy: 1e-6, "\(kind)")
        }
    }

    func testCholeskyOfANaNMatrixIsNotPositiveDefiniteWithTheRightMinor() throws {
        try forEachBackend { kind in
            // torch: "the leading minor of order 2 (resp. 1) is not positive-definite".
            XCTAssertThrowsError(try Linalg.cholesky(Tensor([[4, .nan], [.nan, 3]]))) {
                XCTAssertEqual($0 as? LinalgError, .notPositiveDefinite(op: "cholesky", shape: [2, 2], matrix: 0, info: 2), "\(kind)")
            }
            XCTAssertThrowsError(try Linalg.cholesky(Tensor([[.nan, 1], [1, 3]]))) {
                XCTAssertEqual($0 as? LinalgError, .notPositiveDefinite(op: "cholesky", shape: [2, 2], matrix: 0, info: 1), "\(kind)")
            }
            // An infinite pivot is positive: LAPACK (and torch) go on, to L = [[2, 0], [0.5, inf]].
            XCTAssertEqual(try Linalg.cholesky(Tensor([[4, 1], [1, .infinity]])).scalars, [2, 0, 0.5, .infinity], "\(kind)")
        }
    }

    func testEmptyMatricesHaveNormAndConditionNumberZero() throws {
        try forEachBackend { kind in
            for norm in [MatrixNorm.two, .nuclear, .frobenius, .one, .infinity] {
                XCTAssertEqual(try Linalg.matrixNorm(Tensor.zeros([0, 0]), norm).scalars, [0], "\(kind) \(norm)")
                XCTAssertEqual(try Linalg.cond(Tensor.zeros([0, 0]), norm).scalars, [0], "\(kind) \(norm)")
                XCTAssertEqual(try Linalg.matrixNorm(Tensor.zeros([3, 0]), norm).scalars, [0], "\(kind) \(norm)")
            }
            let batch = try Linalg.cond(Tensor.zeros([2, 0, 0]))
            XCTAssertEqual(batch.shape, [2])
            XCTAssertEqual(batch.scalars, [0, 0], "\(kind)")
            XCTAssertEqual(try Linalg.cond(Tensor.zeros([0, 3])).scalars, [0], "\(kind)")
        }
    }

    /// eigh reads the lower triangle only: a NaN above it is never read (torch: [0, 5]);
    /// one below it is refused as non-finite.
    func testEigenvaluesIgnoreTheUpperTriangle() throws {
        try forEachBackend { kind in
            assertClose(try Linalg.eigvalsh(Tensor([[1, .nan], [2, 4]])).scalars, [0, 5], "\(kind)")
            XCTAssertThrowsError(try Linalg.eigvalsh(Tensor([[1, 2], [.nan, 4]]))) {
                XCTAssertEqual($0 as? LinalgError, .notFinite(op: "eigvalsh", shape: [2, 2], matrix: 0), "\(kind)")
            }
        }
    }

    func testEigenvaluesNearTheEndsOfFloatsRange() throws {
        try forEachBackend { kind in
            // torch: [2e38, inf] (the larger, 4e38, overflows), [−3e38, 3e38] and [2e−38, 4e−38].
            let large = try Linalg.eigvalsh(Tensor([[3e38, 1e38], [1e38, 3e38]])).scalars
            XCTAssertEqual(large[0] / 2e38, 1, accuracy: 1e-5, "\(kind)")
            XCTAssertEqual(large[1], .infinity, "\(kind)")
            assertClose(try Linalg.eigvalsh(Tensor([[3e38, 0], [0, -3e38]])).scalars.map { $0 / 1e38 }, [-3, 3], "\(kind)")
            assertClose(try Linalg.eigvalsh(Tensor([[3e-38, 1e-38], [1e-38, 3e-38]])).scalars.map { $0 * 1e38 }, [2, 4], "\(kind)")
            let (values, vectors) = try Linalg.eigh(Tensor([[3e30, 1e30], [1e30, 3e30]]))
            assertClose(values.scalars.map { $0 / 1e30 }, [2, 4], "\(kind)")
            assertClose(vectors.abs().scalars, [Float](repeating: Float(0.5).squareRoot(), count: 4), "\(kind)")
        }
    }

    func testSingularValuesNearTheEndsOfFloatsRange() throws {
        try forEachBackend { kind in
            // torch: [inf, 2e38]; a tiny matrix's values scale with it: [4e−30, 2e−30].
            let large = try Linalg.svdvals(Tensor([[3e38, 1e38], [1e38, 3e38]])).scalars
            XCTAssertEqual(large[0], .infinity, "\(kind)")
            XCTAssertEqual(large[1] / 2e38, 1, accuracy: 1e-5, "\(kind)")
            assertClose(try Linalg.svdvals(Tensor([[3e-30, 1e-30], [1e-30, 3e-30]])).scalars.map { $0 * 1e30 }, [4, 2], "\(kind)")
            XCTAssertEqual(try Linalg.matrixRank(Tensor([[3e-30, 1e-30], [1e-30, 3e-30]])).item, 2, "\(kind)")
        }
    }

    func testLeastSquaresWithLargeAndTinyMatrices() throws {
        try forEachBackend { kind in
            // torch (gelsd): solution [2.5e−31, 7.5e−31] (resp. [2.5e29, 7.5e29]), rank 2,
            // singular values [4.2426e30, 2e30] (resp. e−30).
            let b = Tensor([[1], [2], [3]])
            let large = try Linalg.lstsq(Tensor([[3e30, 1e30], [1e30, 3e30], [1e30, 1e30]]), b)
            XCTAssertEqual(large.rank.item, 2, "\(kind)")
            assertClose(large.solution.scalars.map { $0 * 1e31 }, [2.5, 7.5], tolerance: 1e-4, "\(kind)")
            assertClose(large.singularValues.scalars.map { $0 / 1e30 }, [4.2426405, 2], tolerance: 1e-4, "\(kind)")
            let tiny = try Linalg.lstsq(Tensor([[3e-30, 1e-30], [1e-30, 3e-30], [1e-30, 1e-30]]), b)
            XCTAssertEqual(tiny.rank.item, 2, "\(kind)")
            assertClose(tiny.solution.scalars.map { $0 / 1e29 }, [2.5, 7.5], tolerance: 1e-4, "\(kind)")
            assertClose(tiny.singularValues.scalars.map { $0 * 1e30 }, [4.2426405, 2], tolerance: 1e-4, "\(kind)")
        }
    }
}
