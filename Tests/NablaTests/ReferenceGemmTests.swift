import XCTest
@testable import Nabla

/// Checks `referenceGemm` against a naive triple loop evaluated in Double.
///
/// Tolerance: the kernel sums in Float in its own order, so it cannot match any other
/// implementation bit for bit. The classic worst-case bound for a Float dot product of length k
/// (Higham, "Accuracy and Stability of Numerical Algorithms", section 3.1) is
/// |computed - exact| <= gamma(k) * sum_p |a_ip * b_pj| with gamma(k) ~ k * u, u = 2^-24. Scaling A
/// by alpha and adding beta * C cost two more roundings, so we allow
/// `2 * (k + 2) * Float.ulpOfOne * (|alpha| * sum_p |a_ip * b_pj| + |beta * c_ij|)`
/// (Float.ulpOfOne = 2u, so this is four times the bound). Being a worst-case bound it can never
/// be flaky, while an indexing or packing mistake (a missing, duplicated or wrong term) produces an
/// error of the order of a single term, far above it for the sizes used here (k <= 520).
final class ReferenceGemmTests: XCTestCase {

    // MARK: hand-computed values

    func testSmallProductMatchesHandComputedValues() {
        // [1 2 3; 4 5 6] * [7 8; 9 10; 11 12] = [58 64; 139 154]
        let a: [Float] = [1, 2, 3, 4, 5, 6]
        let b: [Float] = [7, 8, 9, 10, 11, 12]
        var c: [Float] = [1, 1, 1, 1]
        referenceGemm(transposeA: false, transposeB: false, m: 2, n: 2, k: 3, alpha: 2,
                      a: a, lda: 3, b: b, ldb: 2, beta: 0.5, c: &c, ldc: 2)
        XCTAssertEqual(c, [116.5, 128.5, 278.5, 308.5])
    }

    func testTransposedOperandsMatchHandComputedValues() {
        // A stored as its transpose (3 x 2), B stored as its transpose (2 x 3): same product as above.
        let aT: [Float] = [1, 4, 2, 5, 3, 6]
        let bT: [Float] = [7, 9, 11, 8, 10, 12]
        var c = [Float](repeating: .nan, count: 4)
        referenceGemm(transposeA: true, transposeB: true, m: 2, n: 2, k: 3, alpha: 1,
                      a: aT, lda: 2, b: bT, ldb: 3, beta: 0, c: &c, ldc: 2)
        XCTAssertEqual(c, [58, 64, 139, 154])
    }

    // MARK: cross-checks against Double

    func testAllTransposeCombinationsOddSizesAndScalings() {
        let shapes: [(m: Int, n: Int, k: Int)] = [
            (1, 1, 1), (3, 3, 3), (7, 7, 7), (3, 7, 17), (17, 33, 3), (33, 17, 129),
            (129, 7, 33), (7, 129, 1), (6, 8, 256), (12, 16, 257), (1, 33, 7), (33, 1, 17),
        ]
        var generator = SplitMix64(seed: 42)
        for shape in shapes {
            for (transposeA, transposeB) in [(false, false), (true, false), (false, true), (true, true)] {
                for beta: Float in [0, 1, 0.5] {
                    for padding in [0, 3] {
                        checkAgainstDouble(transposeA: transposeA, transposeB: transposeB,
                                           m: shape.m, n: shape.n, k: shape.k,
                                           alpha: beta == 1 ? 1 : -1.5, beta: beta, padding: padding,
                                           generator: &generator)
                    }
                }
            }
        }
    }

    /// Sizes crossing every cache block boundary: rows (96), depth (256) and columns (4096).
    /// beta = 0.5 over several k blocks checks that beta is applied exactly once.
    func testSizesCrossingCacheBlocks() {
        var generator = SplitMix64(seed: 7)
        let shapes: [(m: Int, n: Int, k: Int)] = [(100, 37, 520), (97, 9, 300), (7, 4101, 5)]
        for shape in shapes {
            for (transposeA, transposeB) in [(false, false), (true, true)] {
                for beta: Float in [0, 0.5] {
                    checkAgainstDouble(transposeA: transposeA, transposeB: transposeB,
                                       m: shape.m, n: shape.n, k: shape.k, alpha: 0.75, beta: beta,
                                       padding: 2, generator: &generator)
                }
            }
        }
    }

    // MARK: BLAS edge semantics

    func testZeroDepthScalesCByBeta() {
        let a: [Float] = [.nan], b: [Float] = [.nan]
        var c: [Float] = [1, 2, 3, 4, 5, 6]
        referenceGemm(transposeA: false, transposeB: false, m: 2, n: 3, k: 0, alpha: 1,
                      a: a, lda: 1, b: b, ldb: 3, beta: 0.5, c: &c, ldc: 3)
        XCTAssertEqual(c, [0.5, 1, 1.5, 2, 2.5, 3])

        var garbage = [Float](repeating: .nan, count: 6)
        referenceGemm(transposeA: false, transposeB: false, m: 2, n: 3, k: 0, alpha: 1,
                      a: a, lda: 1, b: b, ldb: 3, beta: 0, c: &garbage, ldc: 3)
        XCTAssertEqual(garbage, [0, 0, 0, 0, 0, 0])
    }

    func testZeroAlphaDoesNotReadAOrB() {
        // As in BLAS, alpha == 0 means C = beta * C even if A or B hold NaN or infinity.
        let a: [Float] = [.nan, .infinity, 1, 2]
        let b: [Float] = [.infinity, .nan, 3, 4]
        var c: [Float] = [1, 2, 3, 4]
        referenceGemm(transposeA: false, transposeB: false, m: 2, n: 2, k: 2, alpha: 0,
                      a: a, lda: 2, b: b, ldb: 2, beta: 2, c: &c, ldc: 2)
        XCTAssertEqual(c, [2, 4, 6, 8])
    }

    func testEmptyOutputLeavesCUntouched() {
        let a: [Float] = [1, 2, 3], b: [Float] = [4, 5, 6]
        var c: [Float] = [.nan, 9]
        referenceGemm(transposeA: false, transposeB: false, m: 0, n: 2, k: 3, alpha: 1,
                      a: a, lda: 3, b: b, ldb: 2, beta: 0, c: &c, ldc: 2)
        referenceGemm(transposeA: false, transposeB: false, m: 2, n: 0, k: 3, alpha: 1,
                      a: a, lda: 3, b: b, ldb: 1, beta: 0, c: &c, ldc: 1)
        XCTAssertTrue(c[0].isNaN)
        XCTAssertEqual(c[1], 9)
    }

    func testNonFiniteInputsPropagate() {
        // A NaN or infinity in a used element must reach exactly the outputs that depend on it.
        let a: [Float] = [1, .infinity, 1, 1]   // row 0 meets the infinity
        let b: [Float] = [1, 1, 1, 1]
        var c = [Float](repeating: 0, count: 4)
        referenceGemm(transposeA: false, transposeB: false, m: 2, n: 2, k: 2, alpha: 1,
                      a: a, lda: 2, b: b, ldb: 2, beta: 0, c: &c, ldc: 2)
        XCTAssertEqual(c, [.infinity, .infinity, 2, 2])
    }

    func testResultIsDeterministic() {
        var generator = SplitMix64(seed: 3)
        let (m, n, k) = (37, 29, 300)
        let a = (0..<m * k).map { _ in generator.nextFloat() }
        let b = (0..<k * n).map { _ in generator.nextFloat() }
        var first = [Float](repeating: 0, count: m * n), second = first
        referenceGemm(transposeA: false, transposeB: false, m: m, n: n, k: k, alpha: 1,
                      a: a, lda: k, b: b, ldb: n, beta: 0, c: &first, ldc: n)
        referenceGemm(transposeA: false, transposeB: false, m: m, n: n, k: k, alpha: 1,
                      a: a, lda: k, b: b, ldb: n, beta: 0, c: &second, ldc: n)
        XCTAssertEqual(first, second)
    }

    // MARK: helpers

    /// Runs one multiplication on random operands stored with `padding` extra columns in every
    /// leading dimension (a sub-matrix view) and compares with the Double reference. The padding of
    /// A and B is NaN, so reading it would poison the result; the padding of C is a sentinel that
    /// must survive. With beta == 0, C starts as NaN, which must be ignored.
    private func checkAgainstDouble(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
                                    alpha: Float, beta: Float, padding: Int,
                                    generator: inout SplitMix64,
                                    file: StaticString = #filePath, line: UInt = #line) {
        let (aRows, aColumns) = transposeA ? (k, m) : (m, k)
        let (bRows, bColumns) = transposeB ? (n, k) : (k, n)
        let lda = aColumns + padding, ldb = bColumns + padding, ldc = n + padding
        let a = randomMatrix(rows: aRows, columns: aColumns, ld: lda, padValue: .nan, generator: &generator)
        let b = randomMatrix(rows: bRows, columns: bColumns, ld: ldb, padValue: .nan, generator: &generator)
        let sentinel: Float = 12345
        var c = randomMatrix(rows: m, columns: n, ld: ldc, padValue: sentinel, generator: &generator)
        if beta == 0 {
            for i in 0..<m { for j in 0..<n { c[i * ldc + j] = .nan } }
        }
        let original = c

        referenceGemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                      a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: &c, ldc: ldc)

        let context = "m=\(m) n=\(n) k=\(k) transposeA=\(transposeA) transposeB=\(transposeB) "
            + "alpha=\(alpha) beta=\(beta) padding=\(padding)"
        var failures = 0
        for i in 0..<m {
            for j in 0..<n {
                var exact = 0.0, magnitude = 0.0
                for p in 0..<k {
                    let x = Double(transposeA ? a[p * lda + i] : a[i * lda + p])
                    let y = Double(transposeB ? b[j * ldb + p] : b[p * ldb + j])
                    exact += x * y
                    magnitude += abs(x * y)
                }
                exact *= Double(alpha)
                magnitude *= Double(abs(alpha))
                if beta != 0 {
                    exact += Double(beta) * Double(original[i * ldc + j])
                    magnitude += abs(Double(beta) * Double(original[i * ldc + j]))
                }
                let tolerance = 2 * Double(k + 2) * Double(Float.ulpOfOne) * magnitude
                let got = Double(c[i * ldc + j])
                if !(abs(got - exact) <= tolerance) {
                    failures += 1
                    if failures <= 3 {
                        XCTFail("C[\(i)][\(j)] = \(got), expected \(exact) ± \(tolerance) (\(context))",
                                file: file, line: line)
                    }
                }
            }
            for j in n..<ldc where c[i * ldc + j] != sentinel {
                XCTFail("padding C[\(i)][\(j)] overwritten (\(context))", file: file, line: line)
                return
            }
        }
        if failures > 3 { XCTFail("\(failures) mismatches in total (\(context))", file: file, line: line) }
    }

    private func randomMatrix(rows: Int, columns: Int, ld: Int, padValue: Float,
                              generator: inout SplitMix64) -> [Float] {
        var storage = [Float](repeating: padValue, count: max(1, rows * ld))
        for i in 0..<rows { for j in 0..<columns { storage[i * ld + j] = generator.nextFloat() } }
        return storage
    }
}

/// Small deterministic generator so the test does not depend on the library's own RNG.
private struct SplitMix64 {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in [-1, 1), exactly representable (24 random bits).
    mutating func nextFloat() -> Float { Float(Int64(next() >> 40) - (1 << 23)) / Float(1 << 23) }
}
