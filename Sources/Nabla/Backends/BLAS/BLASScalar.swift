import CLAPACKE
import COpenBLAS

/// The element types that the kernel layer computes in: `Float` (float32, through
/// `cblas_s*` and `LAPACKE_s*`) and `Double` (float64, through `cblas_d*` and
/// `LAPACKE_d*`). Each kernel is written once over `T: BLASScalar`; the binding of
/// each type to its C routines lives in one thin file (`Float+BLAS.swift`,
/// `Double+BLAS.swift`), as swift-numerics binds `Float+Real.swift`.
///
/// The bindings mirror the C calls (row-major layout implied, 32-bit integers,
/// LAPACK's `info` returned) and check nothing: the backends check. They are
/// LAPACKE's `_work` entry points throughout: the others first scan the matrix
/// for NaN and return a negative info (an "illegal argument") for one, where
/// LAPACK itself lets NaN propagate (getrf, getrs) or reports the minor (potrf).
/// (`Codable` because the SIMD vectors of `Self` that the reference kernels use require it.)
protocol BLASScalar: TensorScalar, BinaryFloatingPoint, SIMDScalar, Codable {
    /// BLAS's letter for the type, `s` or `d`, for messages that name a routine.
    static var blasPrefix: String { get }

    /// A vector of `OnesVector.count` ones that sums are computed against.
    static var ones: UnsafePointer<Self> { get }

    static func gemm(_ transposeA: CBLAS_TRANSPOSE, _ transposeB: CBLAS_TRANSPOSE, _ m: Int32, _ n: Int32, _ k: Int32,
                     _ alpha: Self, _ a: UnsafePointer<Self>, _ lda: Int32, _ b: UnsafePointer<Self>, _ ldb: Int32,
                     _ beta: Self, _ c: UnsafeMutablePointer<Self>, _ ldc: Int32)
    static func gemv(_ transpose: CBLAS_TRANSPOSE, _ m: Int32, _ n: Int32, _ alpha: Self, _ a: UnsafePointer<Self>, _ lda: Int32,
                     _ x: UnsafePointer<Self>, _ incx: Int32, _ beta: Self, _ y: UnsafeMutablePointer<Self>, _ incy: Int32)
    static func omatcopy(_ transpose: CBLAS_TRANSPOSE, _ rows: Int32, _ columns: Int32, _ alpha: Self, _ a: UnsafePointer<Self>, _ lda: Int32,
                         _ b: UnsafeMutablePointer<Self>, _ ldb: Int32)
    static func axpy(_ n: Int32, _ alpha: Self, _ x: UnsafePointer<Self>, _ incx: Int32, _ y: UnsafeMutablePointer<Self>, _ incy: Int32)
    static func scal(_ n: Int32, _ alpha: Self, _ x: UnsafeMutablePointer<Self>, _ incx: Int32)
    static func dot(_ n: Int32, _ x: UnsafePointer<Self>, _ incx: Int32, _ y: UnsafePointer<Self>, _ incy: Int32) -> Self

    static func getrf(_ m: Int32, _ n: Int32, _ a: UnsafeMutablePointer<Self>, _ lda: Int32, _ pivots: UnsafeMutablePointer<Int32>) -> Int32
    static func getrs(_ transpose: CChar, _ n: Int32, _ rhs: Int32, _ a: UnsafePointer<Self>, _ lda: Int32,
                      _ pivots: UnsafePointer<Int32>, _ b: UnsafeMutablePointer<Self>, _ ldb: Int32) -> Int32
    static func potrf(_ uplo: CChar, _ n: Int32, _ a: UnsafeMutablePointer<Self>, _ lda: Int32) -> Int32
    static func geqrfWork(_ m: Int32, _ n: Int32, _ a: UnsafeMutablePointer<Self>, _ lda: Int32, _ tau: UnsafeMutablePointer<Self>,
                          _ work: UnsafeMutablePointer<Self>, _ lwork: Int32) -> Int32
    static func orgqrWork(_ m: Int32, _ n: Int32, _ k: Int32, _ a: UnsafeMutablePointer<Self>, _ lda: Int32, _ tau: UnsafePointer<Self>,
                          _ work: UnsafeMutablePointer<Self>, _ lwork: Int32) -> Int32
    static func gesddWork(_ job: CChar, _ m: Int32, _ n: Int32, _ a: UnsafeMutablePointer<Self>, _ lda: Int32,
                          _ s: UnsafeMutablePointer<Self>, _ u: UnsafeMutablePointer<Self>, _ ldu: Int32,
                          _ vt: UnsafeMutablePointer<Self>, _ ldvt: Int32, _ work: UnsafeMutablePointer<Self>, _ lwork: Int32,
                          _ integers: UnsafeMutablePointer<Int32>) -> Int32
    /// Column-major, unlike the other LAPACK calls here: see `symmetricEigen`.
    static func syevdWork(_ job: CChar, _ uplo: CChar, _ n: Int32, _ a: UnsafeMutablePointer<Self>, _ lda: Int32,
                          _ w: UnsafeMutablePointer<Self>, _ work: UnsafeMutablePointer<Self>, _ lwork: Int32,
                          _ integers: UnsafeMutablePointer<Int32>, _ integerCount: Int32) -> Int32
    static func gelsdWork(_ m: Int32, _ n: Int32, _ rhs: Int32, _ a: UnsafeMutablePointer<Self>, _ lda: Int32,
                          _ b: UnsafeMutablePointer<Self>, _ ldb: Int32, _ s: UnsafeMutablePointer<Self>, _ rcond: Self,
                          _ rank: UnsafeMutablePointer<Int32>, _ work: UnsafeMutablePointer<Self>, _ lwork: Int32,
                          _ integers: UnsafeMutablePointer<Int32>) -> Int32
}
