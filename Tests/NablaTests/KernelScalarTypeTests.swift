import XCTest
@testable import Nabla

/// The kernel layer, written once over `BLASScalar`, checked once over it too (as
/// swift-numerics writes its tests) and run for Float and Double on both backends.
/// Each check is a residual against the definition, in the type's own precision:
/// the tolerance is a small multiple of its ε times the size, so a Double kernel that
/// computed in Float (or a binding to the wrong routine) fails by orders of magnitude.
final class KernelScalarTypeTests: XCTestCase {
    func testFloat() {
        for kind in BackendKind.allCases { var checks = KernelChecks<Float>(kind: kind); checks.run() }
    }

    func testDouble() {
        for kind in BackendKind.allCases { var checks = KernelChecks<Double>(kind: kind); checks.run() }
    }
}

private struct KernelChecks<T: BLASScalar> {
    let kind: BackendKind
    var kernels: any Backend { kind.implementation }
    var state: UInt64 = 20

    init(kind: BackendKind) { self.kind = kind }

    mutating func run() {
        checkProductsAndSums()
        checkLU()
        checkCholesky()
        checkQR()
        checkSVD()
        checkSymmetricEigen()
        checkLeastSquares()
    }

    /// n·ε·`scale`: the worst-case rounding of a length-n sum of terms of size `scale`, times 8.
    func bound(_ n: Int, _ scale: T = 1) -> T { 8 * T(n) * T.ulpOfOne * scale }

    func report(_ what: String) -> String { "\(what) in \(T.self) on \(kind)" }

    /// Uniform in [−1, 1), from SplitMix64.
    mutating func random(_ count: Int) -> [T] {
        (0..<count).map { _ in
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return T(Double((z ^ (z >> 31)) >> 11) / Double(1 << 53) * 2 - 1)
        }
    }

    /// C = A·B for row-major A (m×k) and B (k×n), summed in order.
    func product(_ a: [T], _ b: [T], m: Int, k: Int, n: Int) -> [T] {
        var c = [T](repeating: 0, count: m * n)
        for i in 0..<m { for p in 0..<k { for j in 0..<n { c[i * n + j] += a[i * k + p] * b[p * n + j] } } }
        return c
    }

    func transpose(_ a: [T], rows: Int, columns: Int) -> [T] {
        (0..<(rows * columns)).map { a[($0 % rows) * columns + $0 / rows] }
    }

    func assertClose(_ actual: [T], _ expected: [T], within tolerance: T, _ what: String) {
        XCTAssertEqual(actual.count, expected.count, report(what))
        let worst = zip(actual, expected).map { Swift.abs($0 - $1) }.max() ?? 0
        XCTAssertLessThanOrEqual(worst, tolerance, report(what))
    }

    mutating func checkProductsAndSums() {
        let (m, k, n) = (37, 29, 41)
        let a = random(m * k), b = random(k * n)
        let expected = product(a, b, m: m, k: k, n: n)
        for (transposeA, transposeB) in [(false, false), (true, true)] {
            let storedA = transposeA ? transpose(a, rows: m, columns: k) : a
            let storedB = transposeB ? transpose(b, rows: k, columns: n) : b
            var c = [T](repeating: .nan, count: m * n)
            kernels.gemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: 1,
                         a: storedA, lda: transposeA ? m : k, b: storedB, ldb: transposeB ? k : n, beta: 0, c: &c, ldc: n)
            assertClose(c, expected, within: bound(k), "gemm \(transposeA) \(transposeB)")
        }
        var y = [T](repeating: 0, count: m)
        kernels.gemv(transpose: false, m: m, n: k, alpha: 1, a: a, lda: k, x: Array(b.prefix(k)), incx: 1, beta: 0, y: &y, incy: 1)
        assertClose(y, product(a, Array(b.prefix(k)), m: m, k: k, n: 1), within: bound(k), "gemv")
        let x = random(1000)
        assertClose([kernels.dot(count: 1000, x: x, incx: 1, y: x, incy: 1)], [x.reduce(0) { $0 + $1 * $1 }], within: bound(1000), "dot")
        var sums = [T](repeating: 0, count: 10)
        kernels.sum(outer: 10, length: 100, inner: 1, x: x, into: &sums)
        assertClose(sums, (0..<10).map { o in x[(o * 100)..<(o * 100 + 100)].reduce(0, +) }, within: bound(100), "sum")
        for (rows, columns) in [(37, 29), (16, 196), (1, 5)] {
            let matrix = random(rows * columns)
            var transposed = [T](repeating: .nan, count: rows * columns)
            kernels.transpose(rows: rows, columns: columns, a: matrix, b: &transposed)
            XCTAssertEqual(transposed, transpose(matrix, rows: rows, columns: columns), report("transpose \(rows)×\(columns)"))
        }
        var target = x
        kernels.axpy(count: 1000, alpha: 2, x: x, y: &target)
        kernels.scale(count: 1000, alpha: 0.5, x: &target)
        assertClose(target, x.map { $0 * 3 / 2 }, within: bound(2), "axpy and scale")
    }

    /// A well-conditioned n×n matrix: random with n added to its diagonal.
    mutating func dominant(_ n: Int) -> [T] {
        var a = random(n * n)
        for i in 0..<n { a[i * n + i] += T(n) }
        return a
    }

    mutating func checkLU() {
        let n = 40, rhs = 3
        let a = dominant(n), b = random(n * rhs)
        var lu = a, x = b, pivots = [Int32](repeating: 0, count: n)
        XCTAssertEqual(kernels.luFactor(n: n, a: &lu, lda: n, pivots: &pivots), 0, report("getrf"))
        kernels.luSolve(n: n, rhs: rhs, lu: lu, lda: n, pivots: pivots, b: &x, ldb: rhs)
        assertClose(product(a, x, m: n, k: n, n: rhs), b, within: bound(n, T(n)), "LU solve residual")
    }

    mutating func checkCholesky() {
        let n = 30
        let m = random(n * n)
        var a = product(transpose(m, rows: n, columns: n), m, m: n, k: n, n: n)
        for i in 0..<n { a[i * n + i] += T(n) }
        var l = a
        XCTAssertEqual(kernels.choleskyFactor(n: n, a: &l, lda: n), 0, report("potrf"))
        for i in 0..<n { for j in (i + 1)..<n { l[i * n + j] = 0 } }
        assertClose(product(l, transpose(l, rows: n, columns: n), m: n, k: n, n: n), a, within: bound(n, 2 * T(n)), "L·Lᵀ")
    }

    mutating func checkQR() {
        let (m, n) = (12, 7)
        let a = random(m * n)
        var factors = a, tau = [T](repeating: 0, count: n)
        kernels.qrFactor(batch: 1, m: m, n: n, a: &factors, tau: &tau)
        var r = [T](repeating: 0, count: n * n)
        for i in 0..<n { for j in i..<n { r[i * n + j] = factors[i * n + j] } }
        var q = factors
        kernels.qrFormQ(batch: 1, m: m, columns: n, reflectors: n, a: &q, tau: tau)
        assertClose(product(q, r, m: m, k: n, n: n), a, within: bound(m), "Q·R")
        assertClose(product(transpose(q, rows: m, columns: n), q, m: n, k: m, n: n),
                    (0..<(n * n)).map { $0 / n == $0 % n ? 1 : 0 }, within: bound(m), "QᵀQ")
    }

    mutating func checkSVD() {
        let (m, n) = (9, 6)
        let a = random(m * n)
        var work = a, s = [T](repeating: 0, count: n), u = [T](repeating: 0, count: m * n), vt = [T](repeating: 0, count: n * n)
        XCTAssertNil(kernels.singularValueDecomposition(batch: 1, m: m, n: n, vectors: .thin, a: &work, s: &s, u: &u, vt: &vt), report("gesdd"))
        XCTAssertEqual(s, s.sorted(by: >), report("descending singular values"))
        var scaled = u
        for i in 0..<m { for j in 0..<n { scaled[i * n + j] *= s[j] } }
        assertClose(product(scaled, vt, m: m, k: n, n: n), a, within: bound(m), "U·S·Vᵀ")
    }

    mutating func checkSymmetricEigen() {
        let n = 8
        let m = random(n * n)
        let a = (0..<(n * n)).map { m[$0] + m[($0 % n) * n + $0 / n] }
        var v = a, w = [T](repeating: 0, count: n)
        XCTAssertNil(kernels.symmetricEigen(batch: 1, n: n, vectors: true, a: &v, w: &w), report("syevd"))
        XCTAssertEqual(w, w.sorted(), report("ascending eigenvalues"))
        var vw = v
        for i in 0..<n { for j in 0..<n { vw[i * n + j] *= w[j] } }
        assertClose(product(a, v, m: n, k: n, n: n), vw, within: bound(n, 4), "A·V = V·diag(w)")
    }

    mutating func checkLeastSquares() {
        let (m, n) = (15, 4)
        let a = random(m * n), b = random(m)
        var work = a, x = b, s = [T](repeating: 0, count: n), rank = [0]
        XCTAssertNil(kernels.leastSquares(batch: 1, m: m, n: n, rhs: 1, a: &work, b: &x, rcond: -1, s: &s, rank: &rank), report("gelsd"))
        XCTAssertEqual(rank, [n], report("rank"))
        // The normal equations: Aᵀ·(A·X − B) = 0.
        let residual = zip(product(a, Array(x.prefix(n)), m: m, k: n, n: 1), b).map { $0 - $1 }
        assertClose(product(transpose(a, rows: m, columns: n), residual, m: n, k: m, n: 1), [T](repeating: 0, count: n),
                    within: bound(m, 4), "Aᵀ·residual")
    }
}
