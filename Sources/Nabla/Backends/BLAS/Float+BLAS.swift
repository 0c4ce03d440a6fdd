import CLAPACKE
import COpenBLAS

/// float32: `cblas_s*` and `LAPACKE_s*`.
extension Float: BLASScalar {
    static var blasPrefix: String { "s" }
    static var ones: UnsafePointer<Float> { floatOnes }

    static func gemm(_ transposeA: CBLAS_TRANSPOSE, _ transposeB: CBLAS_TRANSPOSE, _ m: Int32, _ n: Int32, _ k: Int32,
                     _ alpha: Float, _ a: UnsafePointer<Float>, _ lda: Int32, _ b: UnsafePointer<Float>, _ ldb: Int32,
                     _ beta: Float, _ c: UnsafeMutablePointer<Float>, _ ldc: Int32) {
        cblas_sgemm(CblasRowMajor, transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
    }
    static func gemv(_ transpose: CBLAS_TRANSPOSE, _ m: Int32, _ n: Int32, _ alpha: Float, _ a: UnsafePointer<Float>, _ lda: Int32,
                     _ x: UnsafePointer<Float>, _ incx: Int32, _ beta: Float, _ y: UnsafeMutablePointer<Float>, _ incy: Int32) {
        cblas_sgemv(CblasRowMajor, transpose, m, n, alpha, a, lda, x, incx, beta, y, incy)
    }
    static func omatcopy(_ transpose: CBLAS_TRANSPOSE, _ rows: Int32, _ columns: Int32, _ alpha: Float, _ a: UnsafePointer<Float>, _ lda: Int32,
                         _ b: UnsafeMutablePointer<Float>, _ ldb: Int32) {
        cblas_somatcopy(CblasRowMajor, transpose, rows, columns, alpha, a, lda, b, ldb)
    }
    static func axpy(_ n: Int32, _ alpha: Float, _ x: UnsafePointer<Float>, _ incx: Int32, _ y: UnsafeMutablePointer<Float>, _ incy: Int32) {
        cblas_saxpy(n, alpha, x, incx, y, incy)
    }
    static func scal(_ n: Int32, _ alpha: Float, _ x: UnsafeMutablePointer<Float>, _ incx: Int32) {
        cblas_sscal(n, alpha, x, incx)
    }
    static func dot(_ n: Int32, _ x: UnsafePointer<Float>, _ incx: Int32, _ y: UnsafePointer<Float>, _ incy: Int32) -> Float {
        cblas_sdot(n, x, incx, y, incy)
    }

    static func getrf(_ m: Int32, _ n: Int32, _ a: UnsafeMutablePointer<Float>, _ lda: Int32, _ pivots: UnsafeMutablePointer<Int32>) -> Int32 {
        LAPACKE_sgetrf_work(LAPACK_ROW_MAJOR, m, n, a, lda, pivots)
    }
    static func getrs(_ transpose: CChar, _ n: Int32, _ rhs: Int32, _ a: UnsafePointer<Float>, _ lda: Int32,
                      _ pivots: UnsafePointer<Int32>, _ b: UnsafeMutablePointer<Float>, _ ldb: Int32) -> Int32 {
        // getrs only reads the factors; not every LAPACKE's prototype is const-qualified.
        LAPACKE_sgetrs_work(LAPACK_ROW_MAJOR, transpose, n, rhs, UnsafeMutablePointer(mutating: a), lda, pivots, b, ldb)
    }
    static func potrf(_ uplo: CChar, _ n: Int32, _ a: UnsafeMutablePointer<Float>, _ lda: Int32) -> Int32 {
        LAPACKE_spotrf_work(LAPACK_ROW_MAJOR, uplo, n, a, lda)
    }
    static func geqrfWork(_ m: Int32, _ n: Int32, _ a: UnsafeMutablePointer<Float>, _ lda: Int32, _ tau: UnsafeMutablePointer<Float>,
                          _ work: UnsafeMutablePointer<Float>, _ lwork: Int32) -> Int32 {
        LAPACKE_sgeqrf_work(LAPACK_ROW_MAJOR, m, n, a, lda, tau, work, lwork)
    }
    static func orgqrWork(_ m: Int32, _ n: Int32, _ k: Int32, _ a: UnsafeMutablePointer<Float>, _ lda: Int32, _ tau: UnsafePointer<Float>,
                          _ work: UnsafeMutablePointer<Float>, _ lwork: Int32) -> Int32 {
        LAPACKE_sorgqr_work(LAPACK_ROW_MAJOR, m, n, k, a, lda, tau, work, lwork)
    }
    static func gesddWork(_ job: CChar, _ m: Int32, _ n: Int32, _ a: UnsafeMutablePointer<Float>, _ lda: Int32,
                          _ s: UnsafeMutablePointer<Float>, _ u: UnsafeMutablePointer<Float>, _ ldu: Int32,
                          _ vt: UnsafeMutablePointer<Float>, _ ldvt: Int32, _ work: UnsafeMutablePointer<Float>, _ lwork: Int32,
                          _ integers: UnsafeMutablePointer<Int32>) -> Int32 {
        LAPACKE_sgesdd_work(LAPACK_ROW_MAJOR, job, m, n, a, lda, s, u, ldu, vt, ldvt, work, lwork, integers)
    }
    static func syevdWork(_ job: CChar, _ uplo: CChar, _ n: Int32, _ a: UnsafeMutablePointer<Float>, _ lda: Int32,
                          _ w: UnsafeMutablePointer<Float>, _ work: UnsafeMutablePointer<Float>, _ lwork: Int32,
                          _ integers: UnsafeMutablePointer<Int32>, _ integerCount: Int32) -> Int32 {
        LAPACKE_ssyevd_work(LAPACK_COL_MAJOR, job, uplo, n, a, lda, w, work, lwork, integers, integerCount)
    }
    static func gelsdWork(_ m: Int32, _ n: Int32, _ rhs: Int32, _ a: UnsafeMutablePointer<Float>, _ lda: Int32,
                          _ b: UnsafeMutablePointer<Float>, _ ldb: Int32, _ s: UnsafeMutablePointer<Float>, _ rcond: Float,
                          _ rank: UnsafeMutablePointer<Int32>, _ work: UnsafeMutablePointer<Float>, _ lwork: Int32,
                          _ integers: UnsafeMutablePointer<Int32>) -> Int32 {
        LAPACKE_sgelsd_work(LAPACK_ROW_MAJOR, m, n, rhs, a, lda, b, ldb, s, rcond, rank, work, lwork, integers)
    }
}

nonisolated(unsafe) private let floatOnes = OnesVector.allocate(Float.self)
