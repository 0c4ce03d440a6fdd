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
