import Foundation
import XCTest
@testable import Nabla
import NablaTestSupport

/// float64 linear algebra computes in double (LAPACKE_d* on BLAS, the generic Swift
/// routines in Double on the reference backend), on both backends, batched, held to
/// float64 accuracy and to `numpy.linalg` in float64, run in the Python that setup
/// installs. A float64 tensor that went through float32 anywhere fails these by
/// eight orders of magnitude.
final class LinalgFloat64Tests: XCTestCase {
    /// The usage contract of issue 20.
    func testTheContractsSolve() throws {
        try forEachBackend { kind in
            let a = Tensor([[4, 1], [1, 3]] as [[Double]]), b = Tensor([1, 2] as [Double])
            let x = try Linalg.solve(a, b)
            XCTAssertEqual(x.dtype, .float64, "\(kind)")
            let values = x.scalars(as: Double.self)
            XCTAssertEqual(values[0], 1.0 / 11, accuracy: 2 * Double.ulpOfOne, "\(kind)")
            XCTAssertEqual(values[1], 7.0 / 11, accuracy: 2 * Double.ulpOfOne, "\(kind)")
        }
    }

    /// A 200×200 system of condition number 1e8: relative residual below 1e-12 and the
    /// solution NumPy's, to the 1e8·ε that the conditioning allows (measured: residual 9e-16 on BLAS and
    /// 1e-15 on the reference backend, 4e-13 and 1.3e-10 from NumPy; float32 is 2e-2 away).
    func testIllConditionedSystemReachesFloat64Accuracy() throws {
        let n = 200
        var generator = DoubleGenerator(seed: 8)
        let a = illConditioned(n, condition: 1e8, generator: &generator)
        let xTrue = generator.values(n)
        let b = (0..<n).map { i in (0..<n).reduce(0.0) { $0 + a[i * n + $1] * xTrue[$1] } }
        let expected = try numpy(["solve": (["a": a, "b": b], [n, n])])["solve"]!
        try forEachBackend { kind in
            let x = try Linalg.solve(Tensor(shape: [n, n], scalars: a), Tensor(b)).scalars(as: Double.self)
            let residual = (0..<n).map { i in (0..<n).reduce(0.0) { $0 + a[i * n + $1] * x[$1] } - b[i] }
            XCTAssertLessThan(norm(residual) / norm(b), 1e-12, "\(kind)")
            XCTAssertLessThan(norm(zip(x, expected).map { $0 - $1 }) / norm(expected), 1e-8, "\(kind)")
        }
        // In float32 the same system loses every digit: the test tells the two apart.
        let single = try Linalg.solve(Tensor(shape: [n, n], scalars: a).to(.float32), Tensor(b).to(.float32)).scalars(as: Double.self)
        XCTAssertGreaterThan(norm(zip(single, expected).map { $0 - $1 }) / norm(expected), 1e-4)
    }

    /// Each routine on a batch of two float64 matrices against NumPy (the matrix norms
    /// and cond too, which are built from float64 ops on the SVD).
    func testDecompositionsAgreeWithNumPy() throws {
        var generator = DoubleGenerator(seed: 64)
        let square = generator.values(2 * 5 * 5), tall = generator.values(2 * 7 * 4), rhs = generator.values(2 * 7 * 2)
        // Symmetric positive definite: M·Mᵀ + I per matrix.
        let spd = (0..<2).flatMap { batch in
            (0..<25).map { index -> Double in
                let (i, j) = (index / 5, index % 5)
                return (0..<5).reduce(i == j ? 1.0 : 0.0) { $0 + square[batch * 25 + i * 5 + $1] * square[batch * 25 + j * 5 + $1] }
            }
        }
        let expected = try numpy([
            "det": (["a": square], [2, 5, 5]), "slogdet": (["a": square], [2, 5, 5]), "inv": (["a": square], [2, 5, 5]),
            "cholesky": (["a": spd], [2, 5, 5]), "eigvalsh": (["a": spd], [2, 5, 5]), "svdvals": (["a": tall], [2, 7, 4]),
            "absR": (["a": tall], [2, 7, 4]), "lstsq": (["a": tall, "b": rhs], [2, 7, 4]),
            "norms": (["a": tall], [2, 7, 4]), "cond": (["a": square], [2, 5, 5]),
        ])
        try forEachBackend { kind in
            func check(_ name: String, _ tensor: Tensor, tolerance: Double = 1e-13) {
                XCTAssertEqual(tensor.dtype, .float64, "\(name) on \(kind)")
                let actual = tensor.scalars(as: Double.self), wanted = expected[name]!
                XCTAssertEqual(actual.count, wanted.count, "\(name) on \(kind)")
                let error = norm(zip(actual, wanted).map { $0 - $1 }) / Swift.max(norm(wanted), 1)
                XCTAssertLessThan(error, tolerance, "\(name) on \(kind): \(actual) against NumPy's \(wanted)")
            }
            let a = Tensor(shape: [2, 5, 5], scalars: square), s = Tensor(shape: [2, 5, 5], scalars: spd)
            let t = Tensor(shape: [2, 7, 4], scalars: tall)
            check("det", Linalg.determinant(a))
            let (sign, logAbs) = Linalg.slogdet(a)
            check("slogdet", Tensor.cat([sign, logAbs]))
            check("inv", try Linalg.inverse(a))
            check("cholesky", try Linalg.cholesky(s))
            check("eigvalsh", try Linalg.eigvalsh(s))
            let (values, vectors) = try Linalg.eigh(s)
            XCTAssertEqual(vectors.dtype, .float64)
            check("eigvalsh", values)
            check("svdvals", try Linalg.svdvals(t))
            let (u, singular, vh) = try Linalg.svd(t, fullMatrices: false)
            XCTAssertEqual([u.dtype, vh.dtype], [.float64, .float64])
            check("svdvals", singular)
            let (q, r) = Linalg.qr(t)
            XCTAssertEqual(q.dtype, .float64)
            check("absR", Tensor(shape: r.shape, scalars: r.scalars(as: Double.self).map(Swift.abs)))
            let solution = try Linalg.lstsq(t, Tensor(shape: [2, 7, 2], scalars: rhs))
            check("lstsq", solution.solution, tolerance: 1e-12)
            XCTAssertEqual(solution.rank.dtype, .int64)
            XCTAssertEqual(solution.rank.scalars(as: Int64.self), [4, 4], "\(kind)")
            check("norms", Tensor.stack(try [MatrixNorm.frobenius, .nuclear, .one, .two, .infinity].map { try Linalg.matrixNorm(t, $0) }))
            check("cond", try Linalg.cond(a), tolerance: 1e-12)
        }
    }

    /// The single-output routines' gradients in float64 against central differences
    /// in float64 (step 1e-6, relative tolerance 1e-7), on both backends. (qr, eigh and
    /// svd, recorded as one node over several outputs, still meet a float32 gradient.)
    func testGradientsInFloat64MatchCentralDifferences() throws {
        var generator = DoubleGenerator(seed: 5)
        let square = Tensor(shape: [4, 4], scalars: generator.values(16)) + Tensor.eye(4).to(.float64) * 4
        let tall = Tensor(shape: [6, 4], scalars: generator.values(24)), rhs = Tensor(shape: [4, 2], scalars: generator.values(8))
        let tallRhs = Tensor(shape: [6, 2], scalars: generator.values(12))
        /// A symmetric positive-definite matrix made from any X, so that every entry of X matters.
        func spd(_ x: Tensor) -> Tensor { (x + x.transposed) * 0.5 + Tensor.eye(4).to(.float64) * 4 }
        let cases: [(String, [Tensor], ([Tensor]) throws -> [Tensor])] = [
            ("solve", [square, rhs], { [try Linalg.solve($0[0], $0[1])] }),
            ("inverse", [square], { [try Linalg.inverse($0[0])] }),
            ("determinant", [square], { [Linalg.determinant($0[0])] }),
            ("slogdet", [square], { [Linalg.slogdet($0[0]).logAbsDeterminant] }),
            ("cholesky", [square], { [try Linalg.cholesky(spd($0[0]))] }),
            ("lstsq", [tall, tallRhs], { [try Linalg.lstsq($0[0], $0[1]).solution] }),
        ]
        try forEachBackend { kind in
            for (name, inputs, function) in cases {
                // A fixed random weighting of the outputs makes the loss a scalar.
                var weights = DoubleGenerator(seed: 11)
                func loss(_ values: [Tensor]) throws -> Tensor {
                    try function(values).map { ($0 * Tensor(shape: $0.shape, scalars: weights.values($0.scalarCount))).sum() }
                        .reduce(Tensor(0.0 as Double)) { $0 + $1 }
                }
                let leaves = inputs.map { $0.requiringGrad() }
                weights = DoubleGenerator(seed: 11)
                try loss(leaves).backward()
                for (index, leaf) in leaves.enumerated() {
                    XCTAssertEqual(leaf.grad?.dtype, .float64, "\(name) on \(kind)")
                    let analytic = leaf.grad!.scalars(as: Double.self)
                    var values = inputs[index].scalars(as: Double.self)
                    for element in values.indices {
                        func shifted(_ step: Double) throws -> Double {
                            values[element] += step
                            defer { values[element] -= step }
                            var moved = inputs
                            moved[index] = Tensor(shape: inputs[index].shape, scalars: values)
                            weights = DoubleGenerator(seed: 11)
                            return try loss(moved).item(as: Double.self)
                        }
                        let numeric = (try shifted(1e-6) - shifted(-1e-6)) / 2e-6
                        XCTAssertEqual(analytic[element], numeric, accuracy: 1e-7 * Swift.max(1, Swift.abs(numeric)),
                                       "\(name) on \(kind): input \(index) element \(element)")
                    }
                }
            }
        }
    }

    /// lstsq's default cutoff is float64's ε·max(m, n): σ₂/σ₁ = 1e−10 is rank 2 in float64 (as in NumPy).
    func testLeastSquaresCutoffIsTheDTypesEpsilon() throws {
        try forEachBackend { kind in
            let solution = try Linalg.lstsq(Tensor([[1, 0], [0, 1e-10]] as [[Double]]), Tensor([1, 1] as [Double]))
            XCTAssertEqual(solution.rank.item, 2, "\(kind)")
            let x = solution.solution.scalars(as: Double.self)
            XCTAssertEqual(x[0], 1, accuracy: 1e-15, "\(kind)")
            XCTAssertEqual(x[1] / 1e10, 1, accuracy: 1e-15, "\(kind)")
        }
        // The same matrix in float32 has rank 1 (BLAS's gelsd gives the minimum-norm solution).
        try withBackend(.blas) {
            XCTAssertEqual(try Linalg.lstsq(Tensor([[1, 0], [0, 1e-10]]), Tensor([1, 1])).rank.item, 1)
        }
    }

    func testOtherDTypesAreRefusedByName() throws {
        assertFails("determinant: needs a float32 or float64 tensor, got int64; convert it with to(.float32) or to(.float64)") {
            _ = Linalg.determinant(Tensor([[1, 2], [3, 4]] as [[Int64]]))
        }
        assertFails("solve: A is float64 but B is float32; convert one with to(_:) so both have the same dtype") {
            _ = try? Linalg.solve(Tensor([[1, 0], [0, 1]] as [[Double]]), Tensor([1, 2]))
        }
        // A bool or integer right-hand side (a mask of targets) is taken in A's dtype.
        XCTAssertEqual(try Linalg.solve(Tensor([[2, 0], [0, 4]] as [[Double]]), Tensor([true, true])).scalars(as: Double.self), [0.5, 0.25])
    }

    // MARK: helpers

    /// H₁·diag(σ)·H₂ with Householder reflections H = I − 2·w·wᵀ and σ spaced
    /// geometrically from 1 down to 1/condition: its 2-norm condition number is exactly `condition`.
    private func illConditioned(_ n: Int, condition: Double, generator: inout DoubleGenerator) -> [Double] {
        func unit(_ v: [Double]) -> [Double] { let length = norm(v); return v.map { $0 / length } }
        let u = unit(generator.values(n)), w = unit(generator.values(n))
        let sigma = (0..<n).map { Foundation.pow(condition, -Double($0) / Double(n - 1)) }
        // (I − 2uuᵀ)·D·(I − 2wwᵀ) = D − 2u(Dᵀu)ᵀ − 2(Dw)wᵀ + 4(uᵀDw)·uwᵀ.
        let uDw = (0..<n).reduce(0.0) { $0 + u[$1] * sigma[$1] * w[$1] }
        return (0..<(n * n)).map { index in
            let (i, j) = (index / n, index % n)
            return (i == j ? sigma[i] : 0) - 2 * u[i] * sigma[j] * u[j] - 2 * sigma[i] * w[i] * w[j] + 4 * uDw * u[i] * w[j]
        }
    }

    private func norm(_ v: [Double]) -> Double { v.reduce(0) { $0 + $1 * $1 }.squareRoot() }

    /// NumPy's float64 results for named requests: each gives its operands (flattened)
    /// and A's shape; the answer is flattened. Skips when setup's Python is missing.
    private func numpy(_ requests: [String: ([String: [Double]], [Int])]) throws -> [String: [Double]] {
        func list(_ values: [Double]) -> String { "[" + values.map(\.description).joined(separator: ",") + "]" }
        let input = "{" + requests.map { name, request in
            "\"\(name)\": {\"shape\": \(request.1), " + request.0.map { "\"\($0)\": \(list($1))" }.joined(separator: ", ") + "}"
        }.joined(separator: ", ") + "}"
        let script = """
        import json, sys
        import numpy as np
        out = {}
        for name, r in json.load(sys.stdin).items():
            a = np.array(r["a"], dtype=np.float64).reshape(r["shape"])
            b = np.array(r.get("b", []), dtype=np.float64)
            if name == "solve": x = np.linalg.solve(a, b)
            elif name == "det": x = np.linalg.det(a)
            elif name == "slogdet": x = np.concatenate(np.linalg.slogdet(a))
            elif name == "inv": x = np.linalg.inv(a)
            elif name == "cholesky": x = np.linalg.cholesky(a)
            elif name == "eigvalsh": x = np.linalg.eigvalsh(a)
            elif name == "svdvals": x = np.linalg.svd(a, compute_uv=False)
            elif name == "absR": x = np.abs(np.linalg.qr(a)[1])
            elif name == "norms": x = np.stack([np.linalg.norm(a, o, axis=(-2, -1)) for o in ("fro", "nuc", 1, 2, np.inf)])
            elif name == "cond": x = np.linalg.cond(a)
            elif name == "lstsq":
                b = b.reshape(a.shape[0], a.shape[1], -1)
                x = np.stack([np.linalg.lstsq(a[i], b[i], rcond=None)[0] for i in range(a.shape[0])])
            out[name] = [float(v) for v in np.ravel(x)]
        print(json.dumps(out))
        """
        let printed = try runTorchPython(script, input: input)
        guard let answer = try JSONSerialization.jsonObject(with: Data(printed.utf8)) as? [String: [NSNumber]] else {
            throw NumPyFailure(message: "NumPy printed no answer: \(printed.prefix(200))")
        }
        return answer.mapValues { $0.map(\.doubleValue) }
    }
}

struct NumPyFailure: Error { let message: String }

/// Uniform doubles in [−1, 1) from SplitMix64: the same values on every machine.
struct DoubleGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func values(_ count: Int) -> [Double] {
        (0..<count).map { _ in
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Double((z ^ (z >> 31)) >> 11) / Double(1 << 53) * 2 - 1
        }
    }
}
