import Foundation

/// Which implementation runs Nabla's kernels.
public enum BackendKind: String, CaseIterable, Sendable {
    /// OpenBLAS through `COpenBLAS`: the default.
    case blas
    /// Plain Swift with no C calls, written to vectorize; the yardstick that
    /// the benchmarks hold the BLAS path against.
    case reference
}

/// The kernels that `Tensor` delegates: products and sums, the work that
/// dominates training. Matrices are row-major; a transposed operand is passed
/// as a flag with its own leading dimension, never copied.
///
/// Elementwise maps and max/min reductions are not part of the protocol:
/// BLAS has no kernel for them, so both backends share one Swift loop.
public protocol Backend: Sendable {
    var kind: BackendKind { get }

    /// `C = alpha * op(A) * op(B) + beta * C`; op(A) is m×k, op(B) is k×n.
    /// A transposed operand is stored k×m (resp. n×k). With `beta == 0`, C is not read.
    func gemm(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float,
              a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
              beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int)

    /// `y = alpha * op(A) * x + beta * y` with A stored m×n row-major.
    func gemv(transpose: Bool, m: Int, n: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int,
              x: UnsafePointer<Float>, incx: Int, beta: Float, y: UnsafeMutablePointer<Float>, incy: Int)

    /// `y += alpha * x` over `count` contiguous elements.
    func axpy(count: Int, alpha: Float, x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>)

    /// `x *= alpha` over `count` contiguous elements.
    func scale(count: Int, alpha: Float, x: UnsafeMutablePointer<Float>)

    /// The dot product of two strided vectors.
    func dot(count: Int, x: UnsafePointer<Float>, incx: Int, y: UnsafePointer<Float>, incy: Int) -> Float

    /// Sums the middle axis of a contiguous `[outer, length, inner]` block into `[outer, inner]`.
    func sum(outer: Int, length: Int, inner: Int, x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>)

    /// LU factorisation with partial pivoting, P·A = L·U, of an n×n row-major
    /// matrix in place (LAPACK's getrf); `pivots` are 1-based row swaps.
    /// Returns 0, or i > 0 when U[i−1, i−1] is exactly zero (A is singular).
    func luFactor(n: Int, a: UnsafeMutablePointer<Float>, lda: Int, pivots: UnsafeMutablePointer<Int32>) -> Int

    /// Solves A·X = B from `luFactor`'s output (getrs); B is n×rhs row-major and becomes X.
    func luSolve(n: Int, rhs: Int, lu: UnsafePointer<Float>, lda: Int, pivots: UnsafePointer<Int32>,
                 b: UnsafeMutablePointer<Float>, ldb: Int)

    /// The lower-triangular L with A = L·Lᵀ, written over A's lower triangle (potrf).
    /// Returns 0, or i > 0 when the leading minor of order i is not positive definite.
    func choleskyFactor(n: Int, a: UnsafeMutablePointer<Float>, lda: Int) -> Int

    // The factorisations below work on a batch of `batch` matrices stored one
    // after another, each contiguous and row-major; a batched call sizes its
    // workspace once. They return the first matrix that failed, if any.

    /// Householder QR (geqrf) of each m×n matrix in place: R on and above the
    /// diagonal, the reflectors' vectors (unit leading entry implied) below it,
    /// their scalars in `tau` (min(m, n) per matrix). A reflector with τ = 0 is the identity.
    func qrFactor(batch: Int, m: Int, n: Int, a: UnsafeMutablePointer<Float>, tau: UnsafeMutablePointer<Float>)

    /// The first `columns` columns of Q = H₀·H₁⋯H₍reflectors−1₎ (orgqr), written over each
    /// m×columns matrix whose first `reflectors` columns hold `qrFactor`'s vectors.
    func qrFormQ(batch: Int, m: Int, columns: Int, reflectors: Int, a: UnsafeMutablePointer<Float>, tau: UnsafePointer<Float>)

    /// The singular value decomposition A = U·diag(S)·Vᵀ (gesdd) of each m×n matrix,
    /// which it destroys. S (min(m, n) per matrix) descends; with `.thin` U is m×k and Vᵀ
    /// k×n (k = min(m, n)), with `.full` m×m and n×n, with `.none` they are not touched.
    /// Fails with info > 0 when the iteration does not converge.
    func singularValueDecomposition(batch: Int, m: Int, n: Int, vectors: SVDVectors, a: UnsafeMutablePointer<Float>,
                                    s: UnsafeMutablePointer<Float>, u: UnsafeMutablePointer<Float>?,
                                    vt: UnsafeMutablePointer<Float>?) -> FactorizationFailure?

    /// The eigenvalues, ascending, of each symmetric n×n matrix (syevd; its lower
    /// triangle is read) into `w`; with `vectors` the matrix becomes V, whose column i
    /// is the unit eigenvector of w[i]. Fails with info > 0 when it does not converge.
    func symmetricEigen(batch: Int, n: Int, vectors: Bool, a: UnsafeMutablePointer<Float>,
                        w: UnsafeMutablePointer<Float>) -> FactorizationFailure?

    /// The minimum-norm least-squares solution of A·X = B (gelsd) for each m×n A, which
    /// it destroys. Each B is max(m, n)×rhs and its first n rows become X. Singular values
    /// at most `rcond`·σ₁ count as zero; S gets min(m, n) values and `rank` one per matrix.
    func leastSquares(batch: Int, m: Int, n: Int, rhs: Int, a: UnsafeMutablePointer<Float>,
                      b: UnsafeMutablePointer<Float>, rcond: Float, s: UnsafeMutablePointer<Float>,
                      rank: UnsafeMutablePointer<Int>) -> FactorizationFailure?
}

/// Which singular vectors `singularValueDecomposition` computes.
public enum SVDVectors: Sendable {
    case none, thin, full
}

/// The matrix of a batch on which a factorisation failed, and LAPACK's `info` for it.
public struct FactorizationFailure: Equatable, Sendable {
    public let matrix: Int
    public let info: Int
}

extension BackendKind {
    /// The implementation behind this kind.
    public var implementation: any Backend {
        switch self {
        case .blas: return BLASBackend()
        case .reference: return ReferenceBackend()
        }
    }
}

/// Runs `body` with `kind` as the backend of every op it performs (on this
/// task or thread), then restores the previous one.
public func withBackend<R>(_ kind: BackendKind, _ body: () throws -> R) rethrows -> R {
    try Nabla.$scopedBackend.withValue(kind, operation: body)
}

/// Library-wide settings.
public enum Nabla {
    /// The backend chosen by `NABLA_BACKEND` (`blas` or `reference`), BLAS when unset.
    static let environmentBackend: BackendKind = {
        guard let name = ProcessInfo.processInfo.environment["NABLA_BACKEND"] else { return .blas }
        guard let kind = BackendKind(rawValue: name.lowercased()) else {
            fail("NABLA_BACKEND=\(name) is not a backend; use one of: \(BackendKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return kind
    }()

    @TaskLocal static var scopedBackend: BackendKind?

    /// The backend that ops run on now: the innermost `withBackend` scope, else `NABLA_BACKEND`, else BLAS.
    public static var backend: BackendKind { scopedBackend ?? environmentBackend }

    static var kernels: any Backend { backend.implementation }

    /// Called with the message of a programmer error (see ``fail(_:)`` for which
    /// errors stop and which throw); it must not return. The default flushes standard output, so that what the program printed
    /// before is not lost when it goes to a file or a pipe, then prints the
    /// message and stops the process.
    nonisolated(unsafe) public static var failureHandler: (String) -> Never = { message in
        fflush(stdout)
        fatalError(message)
    }
}
