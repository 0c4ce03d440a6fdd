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
/// dominates training, and the factorisations behind `Linalg`. Matrices are
/// row-major; a transposed operand is passed as a flag with its own leading
/// dimension, never copied. Every kernel is generic over the element type
/// (`Float` or `Double`, see ``BLASScalar``) and is written once per backend.
///
/// Elementwise maps and max/min reductions are not part of the protocol:
/// BLAS has no kernel for them, so both backends share one Swift loop.
///
/// The backend is reached through `any Backend`, where the compiler cannot
/// specialise a generic requirement for its caller's type; so each
/// implementation is marked `@_specialize` for `Float` and `Double`, and its
/// generic entry jumps to the specialised body (without that, the reference
/// kernels run two orders of magnitude slower).
protocol Backend: Sendable {
    var kind: BackendKind { get }

    /// `C = alpha * op(A) * op(B) + beta * C`; op(A) is m×k, op(B) is k×n.
    /// A transposed operand is stored k×m (resp. n×k). With `beta == 0`, C is not read.
    func gemm<T: BLASScalar>(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: T,
                             a: UnsafePointer<T>, lda: Int, b: UnsafePointer<T>, ldb: Int,
                             beta: T, c: UnsafeMutablePointer<T>, ldc: Int)

    /// `y = alpha * op(A) * x + beta * y` with A stored m×n row-major.
    func gemv<T: BLASScalar>(transpose: Bool, m: Int, n: Int, alpha: T, a: UnsafePointer<T>, lda: Int,
                             x: UnsafePointer<T>, incx: Int, beta: T, y: UnsafeMutablePointer<T>, incy: Int)

    /// Writes the contiguous row-major `rows`×`columns` matrix `a` transposed into `b`
    /// (`columns`×`rows`, contiguous): OpenBLAS's `omatcopy`, a copy (no arithmetic).
    func transpose<T: BLASScalar>(rows: Int, columns: Int, a: UnsafePointer<T>, b: UnsafeMutablePointer<T>)

    /// `y += alpha * x` over `count` contiguous elements.
    func axpy<T: BLASScalar>(count: Int, alpha: T, x: UnsafePointer<T>, y: UnsafeMutablePointer<T>)

    /// `x *= alpha` over `count` contiguous elements.
    func scale<T: BLASScalar>(count: Int, alpha: T, x: UnsafeMutablePointer<T>)

    /// The dot product of two strided vectors.
    func dot<T: BLASScalar>(count: Int, x: UnsafePointer<T>, incx: Int, y: UnsafePointer<T>, incy: Int) -> T

    /// Sums the middle axis of a contiguous `[outer, length, inner]` block into `[outer, inner]`.
    func sum<T: BLASScalar>(outer: Int, length: Int, inner: Int, x: UnsafePointer<T>, into y: UnsafeMutablePointer<T>)

    /// LU factorisation with partial pivoting, P·A = L·U, of an n×n row-major
    /// matrix in place (LAPACK's getrf); `pivots` are 1-based row swaps.
    /// Returns 0, or i > 0 when U[i−1, i−1] is exactly zero (A is singular); a NaN
    /// in A spreads through the factors and is never an error.
    func luFactor<T: BLASScalar>(n: Int, a: UnsafeMutablePointer<T>, lda: Int, pivots: UnsafeMutablePointer<Int32>) -> Int

    /// Solves A·X = B from `luFactor`'s output (getrs); B is n×rhs row-major and becomes X.
    /// A NaN in the factors or in B spreads into X.
    func luSolve<T: BLASScalar>(n: Int, rhs: Int, lu: UnsafePointer<T>, lda: Int, pivots: UnsafePointer<Int32>,
                                b: UnsafeMutablePointer<T>, ldb: Int)

    /// The lower-triangular L with A = L·Lᵀ, written over A's lower triangle (potrf).
    /// Returns 0, or i > 0 when the leading minor of order i is not positive definite
    /// (or its pivot is NaN).
    func choleskyFactor<T: BLASScalar>(n: Int, a: UnsafeMutablePointer<T>, lda: Int) -> Int

    // The factorisations below work on a batch of `batch` matrices stored one
    // after another, each contiguous and row-major; a batched call sizes its
    // workspace once. They return the first matrix that failed, if any.

    /// Householder QR (geqrf) of each m×n matrix in place: R on and above the
    /// diagonal, the reflectors' vectors (unit leading entry implied) below it,
    /// their scalars in `tau` (min(m, n) per matrix). A reflector with τ = 0 is the identity.
    func qrFactor<T: BLASScalar>(batch: Int, m: Int, n: Int, a: UnsafeMutablePointer<T>, tau: UnsafeMutablePointer<T>)

    /// The first `columns` columns of Q = H₀·H₁⋯H₍reflectors−1₎ (orgqr), written over each
    /// m×columns matrix whose first `reflectors` columns hold `qrFactor`'s vectors.
    func qrFormQ<T: BLASScalar>(batch: Int, m: Int, columns: Int, reflectors: Int, a: UnsafeMutablePointer<T>, tau: UnsafePointer<T>)

    /// The singular value decomposition A = U·diag(S)·Vᵀ (gesdd) of each m×n matrix,
    /// which it destroys. S (min(m, n) per matrix) descends; with `.thin` U is m×k and Vᵀ
    /// k×n (k = min(m, n)), with `.full` m×m and n×n, with `.none` they are not touched.
    /// Fails with info > 0 when the iteration does not converge.
    func singularValueDecomposition<T: BLASScalar>(batch: Int, m: Int, n: Int, vectors: SVDVectors, a: UnsafeMutablePointer<T>,
                                                   s: UnsafeMutablePointer<T>, u: UnsafeMutablePointer<T>?,
                                                   vt: UnsafeMutablePointer<T>?) -> FactorizationFailure?

    /// The eigenvalues, ascending, of each symmetric n×n matrix (syevd; its lower
    /// triangle is read) into `w`; with `vectors` the matrix becomes V, whose column i
    /// is the unit eigenvector of w[i]. Fails with info > 0 when it does not converge.
    func symmetricEigen<T: BLASScalar>(batch: Int, n: Int, vectors: Bool, a: UnsafeMutablePointer<T>,
                                       w: UnsafeMutablePointer<T>) -> FactorizationFailure?

    /// The minimum-norm least-squares solution of A·X = B (gelsd) for each m×n A, which
    /// it destroys. Each B is max(m, n)×rhs and its first n rows become X. Singular values
    /// at most `rcond`·σ₁ count as zero; S gets min(m, n) values and `rank` one per matrix.
    func leastSquares<T: BLASScalar>(batch: Int, m: Int, n: Int, rhs: Int, a: UnsafeMutablePointer<T>,
                                     b: UnsafeMutablePointer<T>, rcond: T, s: UnsafeMutablePointer<T>,
                                     rank: UnsafeMutablePointer<Int>) -> FactorizationFailure?
}

/// Which singular vectors `singularValueDecomposition` computes.
enum SVDVectors: Sendable {
    case none, thin, full
}

/// The matrix of a batch on which a factorisation failed, and LAPACK's `info` for it.
struct FactorizationFailure: Equatable, Sendable {
    let matrix: Int
    let info: Int
}

extension BackendKind {
    /// The implementation behind this kind.
    var implementation: any Backend {
        switch self {
        case .blas: return BLASBackend()
        case .reference: return ReferenceBackend()
        }
    }
}

/// Runs `body` with `kind` as the backend of every op it performs (on this
/// task or thread), then restores the previous one.
public func withBackend<R>(_ kind: BackendKind, _ body: () throws -> R) rethrows -> R {
    try $scopedBackend.withValue(kind, operation: body)
}

/// The backend chosen by `NABLA_BACKEND` (`blas` or `reference`), BLAS when unset.
let environmentBackend: BackendKind = {
    guard let name = ProcessInfo.processInfo.environment["NABLA_BACKEND"] else { return .blas }
    guard let kind = BackendKind(rawValue: name.lowercased()) else {
        fail("NABLA_BACKEND=\(name) is not a backend; use one of: \(BackendKind.allCases.map(\.rawValue).joined(separator: ", "))")
    }
    return kind
}()

/// The innermost `withBackend` scope of this task, if any.
@TaskLocal var scopedBackend: BackendKind?

/// The backend that ops run on now: the innermost `withBackend` scope, else `NABLA_BACKEND`, else BLAS.
public var backend: BackendKind { scopedBackend ?? environmentBackend }

/// The implementation of ``backend``.
var kernels: any Backend { backend.implementation }

/// Called with the message of a programmer error (see ``fail(_:)`` for which
/// errors stop and which throw); it must not return. The default flushes standard output, so that what the program printed
/// before is not lost when it goes to a file or a pipe, then prints the
/// message and stops the process.
nonisolated(unsafe) public var failureHandler: (String) -> Never = { message in
    fflush(nil)   // every output stream; naming stdout is a shared-state error in Swift 6
    fatalError(message)
}
