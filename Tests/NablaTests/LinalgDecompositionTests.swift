import XCTest
@testable import Nabla
import NablaTestSupport

/// QR, SVD, eigh, lstsq, pinv and the norms: identities on random, ill-conditioned
/// and rank-deficient matrices, each backend against the other, and NumPy's values.
final class LinalgDecompositionTests: XCTestCase {
    /// A random m×n matrix of rank r (the product of m×r and r×n factors).
    func lowRank(_ m: Int, _ n: Int, rank r: Int, seed: UInt64) -> Tensor {
        randomTensor([m, r], seed: seed) • randomTensor([r, n], seed: seed + 1)
    }

    /// An n×n matrix with singular values 1 … 10⁻⁴ (condition number 10⁴).
    func illConditioned(_ n: Int, seed: UInt64) -> Tensor {
        let (q1, _) = Linalg.qr(randomTensor([n, n], seed: seed))
        let (q2, _) = Linalg.qr(randomTensor([n, n], seed: seed + 1))
        let values = Tensor.generated([n]) { i in Float(pow(10, -4 * Double(i) / Double(n - 1))) }
        return (q1 * values.unsqueeze(axis: 0)) • q2.transposed
    }

    /// The largest |x − y|.
    func maxError(_ x: Tensor, _ y: Tensor) -> Float {
        XCTAssertEqual(x.shape, y.shape)
        return zip(x.scalars, y.scalars).map { Swift.abs($0 - $1) }.max() ?? 0
    }

    func assertOrthonormalColumns(_ q: Tensor, _ message: String, file: StaticString = #filePath, line: UInt = #line) {
        let k = q.shape.last!
        XCTAssertLessThan(maxError(q.transposed • q, Tensor.eye(k).expand(to: Array(q.shape.dropLast(2)) + [k, k])), 2e-5,
                          "QᵀQ ≠ I: \(message)", file: file, line: line)
    }

    var testMatrices: [(String, Tensor)] {
        [("random tall", randomTensor([7, 4], seed: 1)), ("random wide", randomTensor([3, 6], seed: 2)),
         ("random square", randomTensor([5, 5], seed: 3)), ("ill-conditioned", illConditioned(6, seed: 4)),
         ("rank-deficient tall", lowRank(6, 4, rank: 2, seed: 6)), ("rank-deficient wide", lowRank(3, 5, rank: 1, seed: 8)),
         ("batch", randomTensor([2, 3, 5, 3], seed: 10))]
    }

    func testQRIdentities() {
        forEachBackend { kind in
            for (name, a) in testMatrices {
                for mode in [QRMode.reduced, .complete] {
                    let (q, r) = Linalg.qr(a, mode: mode)
                    let (m, n) = (a.shape[a.rank - 2], a.shape[a.rank - 1])
                    let k = mode == .reduced ? Swift.min(m, n) : m
                    XCTAssertEqual(q.shape, Array(a.shape.dropLast(2)) + [m, k], "\(name) \(mode) \(kind)")
                    XCTAssertEqual(r.shape, Array(a.shape.dropLast(2)) + [k, n], "\(name) \(mode) \(kind)")
                    assertOrthonormalColumns(q, "\(name) \(mode) \(kind)")
                    XCTAssertLessThan(maxError(q • r, a), 2e-5, "QR ≠ A: \(name) \(mode) \(kind)")
                    let below = Tensor.generated([k, n]) { $0 / n > $0 % n ? 1 : 0 }
                    XCTAssertEqual(maxError(r * below, Tensor.zeros(r.shape)), 0, "R is not upper triangular: \(name) \(mode) \(kind)")
                }
            }
        }
    }

    func testSVDIdentities() throws {
        try forEachBackend { kind in
            for (name, a) in testMatrices {
                let (m, n) = (a.shape[a.rank - 2], a.shape[a.rank - 1])
                let k = Swift.min(m, n), batch = Array(a.shape.dropLast(2))
                for full in [false, true] {
                    let (u, s, vh) = try Linalg.svd(a, fullMatrices: full)
                    XCTAssertEqual(u.shape, batch + [m, full ? m : k], "\(name) \(kind)")
                    XCTAssertEqual(vh.shape, batch + [full ? n : k, n], "\(name) \(kind)")
                    assertOrthonormalColumns(u, "U of \(name), full \(full), \(kind)")
                    assertOrthonormalColumns(vh.transposed, "V of \(name), full \(full), \(kind)")
                    let thinU = u.slab(axis: u.rank - 1, start: 0, extent: k), thinVh = vh.slab(axis: vh.rank - 2, start: 0, extent: k)
                    XCTAssertLessThan(maxError((thinU * s.unsqueeze(axis: -2)) • thinVh, a), 3e-5, "U·S·Vᵀ ≠ A: \(name) \(kind)")
                    let values = s.reshape([-1, k]).scalars
                    for row in stride(from: 0, to: values.count, by: k) {
                        XCTAssertTrue(zip(values[row..<(row + k - 1)], values[(row + 1)..<(row + k)]).allSatisfy { $0 >= $1 } && values[row + k - 1] >= 0,
                                      "S is not descending and non-negative: \(name) \(kind)")
                    }
                    assertClose(try Linalg.svdvals(a), s, tolerance: 1e-5, "svdvals \(name) \(kind)")
                }
            }
        }
    }

    func testEighIdentities() throws {
        let random = randomTensor([6, 6], seed: 20)
        let deficient = lowRank(6, 6, rank: 2, seed: 21)
        let cases: [(String, Tensor)] = [
            ("random", random + random.transposed), ("rank-deficient", deficient • deficient.transposed),
            ("ill-conditioned", { let c = illConditioned(6, seed: 22); return c • c.transposed }()),
            ("batch", { let b = randomTensor([3, 4, 4], seed: 23); return b + b.transposed }()),
        ]
        try forEachBackend { kind in
            for (name, a) in cases {
                let (w, v) = try Linalg.eigh(a)
                assertOrthonormalColumns(v, "\(name) \(kind)")
                XCTAssertLessThan(maxError(a • v, v * w.unsqueeze(axis: -2)), 5e-5, "A·v ≠ λ·v: \(name) \(kind)")
                let n = w.shape.last!, values = w.scalars
                for row in stride(from: 0, to: values.count, by: n) {
                    XCTAssertTrue(zip(values[row..<(row + n - 1)], values[(row + 1)..<(row + n)]).allSatisfy { $0 <= $1 }, "not ascending: \(name) \(kind)")
                }
                assertClose(try Linalg.eigvalsh(a), w, tolerance: 2e-5, "eigvalsh \(name) \(kind)")
            }
            // Only the lower triangle is read.
            let lowerOnly = cases[0].1.tril()
            assertClose(try Linalg.eigvalsh(lowerOnly), try Linalg.eigvalsh(cases[0].1), tolerance: 1e-5, "lower triangle \(kind)")
        }
    }

    func testLeastSquaresIdentities() throws {
        try forEachBackend { kind in
            // Over-determined, full rank: the residual is orthogonal to A's columns.
            let tall = randomTensor([8, 3], seed: 30), rhs = randomTensor([8, 2], seed: 31)
            let fit = try Linalg.lstsq(tall, rhs)
            XCTAssertLessThan(maxError(tall.transposed • (tall • fit.solution - rhs), Tensor.zeros([3, 2])), 2e-5, "normal equations \(kind)")
            XCTAssertEqual(fit.rank.scalars, [3])
            assertClose(fit.singularValues, try Linalg.svdvals(tall), tolerance: 1e-5)
            // Under-determined, full rank: an exact solution, the least-norm one (in A's row space).
            let wide = randomTensor([3, 7], seed: 32), b = randomTensor([3], seed: 33)
            let x = try Linalg.lstsq(wide, b).solution
            XCTAssertEqual(x.shape, [7])
            XCTAssertLessThan(maxError(wide • x, b), 2e-5, "A·x ≠ b \(kind)")
            let projection = wide.transposed • (try Linalg.solve(wide • wide.transposed, wide • x))
            XCTAssertLessThan(maxError(projection, x), 2e-5, "x is not in A's row space \(kind)")
            // Square and ill-conditioned: the exact solution, to within cond·ε.
            let ill = illConditioned(5, seed: 34), known = randomTensor([5, 1], seed: 35)
            XCTAssertLessThan(maxError(try Linalg.lstsq(ill, ill • known).solution, known), 2e-2, "ill-conditioned \(kind)")
            // Batched, with B broadcast over A's batch.
            let batch = randomTensor([4, 6, 3], seed: 36)
            let batched = try Linalg.lstsq(batch, rhs.slab(axis: 0, start: 0, extent: 6).contiguous())
            XCTAssertEqual(batched.solution.shape, [4, 3, 2])
            XCTAssertEqual(batched.rank.shape, [4])
            for i in 0..<4 {
                assertClose(batched.solution[i], try Linalg.lstsq(batch[i], rhs.slab(axis: 0, start: 0, extent: 6).contiguous()).solution, tolerance: 1e-5)
            }
        }
    }

    func testRankDeficientLeastSquaresIsTheMinimumNormSolution() throws {
        let a = lowRank(6, 4, rank: 2, seed: 40), b = randomTensor([6, 2], seed: 41)
        let fit = try Linalg.lstsq(a, b)
        XCTAssertEqual(fit.rank.scalars, [2])
        assertClose(fit.solution, try Linalg.pinv(a) • b, tolerance: 2e-4)
        // The reference backend solves full-rank problems only, and says so.
        assertFails("lstsq: the reference backend solves full-rank problems only (by Householder QR), but matrix 0 of the batch, of shape [6, 4], has rank 2 < 4; use the BLAS backend") {
            _ = withBackend(.reference) { try? Linalg.lstsq(a, b) }
        }
    }

    func testPenroseConditions() throws {
        try forEachBackend { kind in
            for (name, a) in testMatrices {
                let p = try Linalg.pinv(a)
                let scale = max(1, (try Linalg.matrixNorm(p, .two)).max().item)
                XCTAssertLessThan(maxError(a • p • a, a), 5e-5 * scale, "A·A⁺·A ≠ A: \(name) \(kind)")
                XCTAssertLessThan(maxError(p • a • p, p), 5e-5 * scale * scale, "A⁺·A·A⁺ ≠ A⁺: \(name) \(kind)")
                let ap = a • p, pa = p • a
                XCTAssertLessThan(maxError(ap, ap.transposed), 5e-5 * scale, "A·A⁺ not symmetric: \(name) \(kind)")
                XCTAssertLessThan(maxError(pa, pa.transposed), 5e-5 * scale, "A⁺·A not symmetric: \(name) \(kind)")
            }
            XCTAssertEqual(try Linalg.matrixRank(lowRank(6, 4, rank: 2, seed: 6)).scalars, [2])
            XCTAssertEqual(try Linalg.matrixRank(randomTensor([2, 5, 3], seed: 11)).scalars, [3, 3])
        }
    }

    func testBackendsAgree() throws {
        let a = randomTensor([2, 9, 6], seed: 50), b = randomTensor([2, 9, 2], seed: 51)
        let symmetric = a.transposed • a
        let results = try BackendKind.allCases.map { kind in
            try withBackend(kind) {
                [try Linalg.svdvals(a), try Linalg.eigvalsh(symmetric), Linalg.qr(a).r.abs(), try Linalg.lstsq(a, b).solution,
                 try Linalg.pinv(a), try Linalg.matrixNorm(a, .nuclear), Linalg.slogdet(symmetric).logAbsDeterminant]
            }
        }
        for (blas, reference) in zip(results[0], results[1]) { assertClose(blas, reference, tolerance: 1e-4) }
    }

    func testAgainstNumPy() throws {
        try forEachBackend { kind in
            for (name, a) in LinalgFixtures.matrices {
                let expected = NumPyLinalgValues.values[name]!
                let (m, n) = (a.shape[0], a.shape[1])
                // Float32 results: backward-stable routines are within ~ε·‖A‖ of NumPy's values,
                // and solutions within cond(A)·ε.
                let conditioned: Float = name == "hilbert" ? 5e-2 : 1e-4
                func check(_ actual: Tensor, _ key: String, tolerance: Float = 1e-5) {
                    let truth = expected[key]!.map(Float.init)
                    let scale = truth.map(Swift.abs).max() ?? 1
                    assertClose(actual.scalars.map { $0 / Swift.max(scale, 1) }, truth.map { $0 / Swift.max(scale, 1) },
                                tolerance: tolerance, "\(key) of \(name) on \(kind)")
                }
                check(try Linalg.svdvals(a), "svdvals")
                check(Linalg.qr(a).r.abs(), "absR", tolerance: 2e-5)
                check(try Linalg.matrixNorm(a, .frobenius).reshape([1]), "frobenius")
                check(try Linalg.matrixNorm(a, .nuclear).reshape([1]), "nuclear")
                check(try Linalg.matrixNorm(a, .one).reshape([1]), "one")
                check(try Linalg.matrixNorm(a, .two).reshape([1]), "two")
                check(try Linalg.matrixNorm(a, .infinity).reshape([1]), "infinity")
                check(try Linalg.matrixRank(a).reshape([1]), "rank")
                check(try Linalg.pinv(a), "pinv", tolerance: conditioned)
                if name != "rankTwo" || kind == .blas {
                    check(try Linalg.lstsq(a, LinalgFixtures.rightHandSide(rows: m)).solution, "lstsq", tolerance: conditioned)
                }
                if m == n {
                    let (sign, logAbs) = Linalg.slogdet(a)
                    check(Tensor.cat([sign.reshape([1]), logAbs.reshape([1])]), "slogdet", tolerance: conditioned)
                    check(try Linalg.cond(a).reshape([1]), "cond", tolerance: conditioned)
                }
                if let _ = expected["eigvalsh"] { check(try Linalg.eigvalsh(a), "eigvalsh") }
            }
        }
    }

    func testVectorNorms() {
        let x = Tensor([[3, -4], [0, 1]])
        XCTAssertEqual(Linalg.vectorNorm(x).item, Float(26).squareRoot())
        XCTAssertEqual(Linalg.vectorNorm(x, order: 1).item, 8)
        XCTAssertEqual(Linalg.vectorNorm(x, order: .infinity).item, 4)
        XCTAssertEqual(Linalg.vectorNorm(x, order: -.infinity).item, 0)
        XCTAssertEqual(Linalg.vectorNorm(x, order: 0).item, 3)
        assertClose(Linalg.vectorNorm(x, order: 3).scalars, [Float(pow(27.0 + 64 + 1, 1.0 / 3))])
        assertClose(Linalg.vectorNorm(x, axes: [1]).scalars, [5, 1])
        XCTAssertEqual(Linalg.vectorNorm(x, axes: [0], keepDims: true).shape, [1, 2])
        // Order 0 counts non-zeros; its gradient is zero, as torch's.
        let leaf = Tensor([3, 0, -2] as [Double]).requiringGrad()
        Linalg.vectorNorm(leaf, order: 0).backward()
        XCTAssertEqual(leaf.grad?.scalars(as: Double.self), [0, 0, 0])
        // Each spelling's errors name it.
        XCTAssertEqual(failureMessage { _ = Linalg.vectorNorm(x, order: .nan) }, "vectorNorm: the order must be a number, got nan")
        XCTAssertEqual(failureMessage { _ = x.norm(p: .nan) }, "norm: the order must be a number, got nan")
        XCTAssertEqual(failureMessage { _ = Linalg.vectorNorm(x, axes: [2]) }?.hasPrefix("vectorNorm:"), true)
    }

    func testNotFiniteAndNonSquareInput() throws {
        var nan = Tensor.eye(3).scalars
        nan[4] = .nan
        let bad = Tensor(shape: [3, 3], scalars: nan)
        try forEachBackend { kind in
            XCTAssertThrowsError(try Linalg.svd(bad)) {
                XCTAssertEqual($0 as? LinalgError, .notFinite(op: "svd", shape: [3, 3], matrix: 0), "\(kind)")
                XCTAssertEqual("\($0)", "svd: the matrix of shape [3, 3] contains NaN or infinity")
            }
            XCTAssertThrowsError(try Linalg.eigh(Tensor.stack([Tensor.eye(3), bad]))) {
                XCTAssertEqual("\($0)", "eigh: matrix 1 of the batch of shape [2, 3, 3] contains NaN or infinity")
            }
            XCTAssertThrowsError(try Linalg.lstsq(bad, Tensor.ones([3]))) { XCTAssertEqual($0 as? LinalgError, .notFinite(op: "lstsq", shape: [3, 3], matrix: 0)) }
        }
        XCTAssertEqual("\(LinalgError.noConvergence(op: "svd", shape: [4, 5, 5], matrix: 2, info: 3))",
                       "svd: the iteration did not converge on matrix 2 of the batch of shape [4, 5, 5] (LAPACK info 3)")
        assertFails("eigh: needs a square matrix or a batch of them [..., n, n], got shape [2, 3]") { _ = try? Linalg.eigh(Tensor.zeros([2, 3])) }
        assertFails("slogdet: needs a square matrix or a batch of them [..., n, n], got shape [3]") { _ = Linalg.slogdet(Tensor.zeros([3])) }
        assertFails("cond: needs a square matrix or a batch of them [..., n, n], got shape [2, 3]") { _ = try? Linalg.cond(Tensor.zeros([2, 3]), .one) }
        assertFails("qr: needs a matrix or a batch of them [..., m, n], got shape [4]") { _ = Linalg.qr(Tensor.zeros([4])) }
        assertFails("lstsq: A of shape [4, 2] and B of shape [3] do not fit: B needs 4 rows") { _ = try? Linalg.lstsq(Tensor.zeros([4, 2]), Tensor.zeros([3])) }
        assertFails("lstsq: the batch axes of A of shape [2, 4, 2] and B of shape [3, 4, 1] cannot be broadcast together") { _ = try? Linalg.lstsq(Tensor.zeros([2, 4, 2]), Tensor.zeros([3, 4, 1])) }
    }
}
