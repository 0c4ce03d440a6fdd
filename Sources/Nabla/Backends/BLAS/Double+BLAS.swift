import CLAPACKE
import COpenBLAS

/// float64: `cblas_d*` and `LAPACKE_d*`.
extension Double: BLASScalar {
    static var blasPrefix: String { "d" }
    static var ones: UnsafePointer<Double> { doubleOnes }

    static func gemm(_ transposeA: CBLAS_TRANSPOSE, _ transposeB: CBLAS_TRANSPOSE, _ m: Int32, _ n: Int32, _ k: Int32,
                     _ alpha: Double, _ a: UnsafePointer<Double>, _ lda: Int32, _ b: UnsafePointer<Double>, _ ldb: Int32,
                     _ beta: Double, _ c: UnsafeMutablePointer<Double>, _ ldc: Int32) {
        cblas_dgemm(CblasRowMajor, transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
    }
    static func gemv(_ transpose: CBLAS_TRANSPOSE, _ m: Int32, _ n: Int32, _ alpha: Double, _ a: UnsafePointer<Double>, _ lda: Int32,
                     _ x: UnsafePointer<Double>, _ incx: Int32, _ beta: Double, _ y: UnsafeMutablePointer<Double>, _ incy: Int32) {
        cblas_dgemv(CblasRowMajor, transpose, m, n, alpha, a, lda, x, incx, beta, y, incy)
    }
    static func omatcopy(_ transpose: CBLAS_TRANSPOSE, _ rows: Int32, _ columns: Int32, _ alpha: Double, _ a: UnsafePointer<Double>, _ lda: Int32,
                         _ b: UnsafeMutablePointer<Double>, _ ldb: Int32) {
        cblas_domatcopy(CblasRowMajor, transpose, rows, columns, alpha, a, lda, b, ldb)
    }
    static func axpy(_ n: Int32, _ alpha: Double, _ x: UnsafePointer<Double>, _ incx: Int32, _ y: UnsafeMutablePointer<Double>, _ incy: Int32) {
        cblas_daxpy(n, alpha, x, incx, y, incy)
    }
    static func scal(_ n: Int32, _ alpha: Double, _ x: UnsafeMutablePointer<Double>, _ incx: Int32) {
        cblas_dscal(n, alpha, x, incx)
    }
    static func dot(_ n: Int32, _ x: UnsafePointer<Double>, _ incx: Int32, _ y: UnsafePointer<Double>, _ incy: Int32) -> Double {
        cblas_ddot(n, x, incx, y, incy)
    }

    static func getrf(_ m: Int32, _ n: Int32, _ a: UnsafeMutablePointer<Double>, _ lda: Int32, _ pivots: UnsafeMutablePointer<Int32>) -> Int32 {
        LAPACKE_dgetrf_work(LAPACK_ROW_MAJOR, m, n, a, lda, pivots)
    }
    static func getrs(_ transpose: CChar, _ n: Int32, _ rhs: Int32, _ a: UnsafePointer<Double>, _ lda: Int32,
                      _ pivots: UnsafePointer<Int32>, _ b: UnsafeMutablePointer<Double>, _ ldb: Int32) -> Int32 {
        // getrs only reads the factors; not every LAPACKE's prototype is const-qualified.
        LAPACKE_dgetrs_work(LAPACK_ROW_MAJOR, transpose, n, rhs, UnsafeMutablePointer(mutating: a), lda, pivots, b, ldb)
    }
    static func potrf(_ uplo: CChar, _ n: Int32, _ a: UnsafeMutablePointer<Double>, _ lda: Int32) -> Int32 {
        LAPACKE_dpotrf_work(LAPACK_ROW_MAJOR, uplo, n, a, lda)
    }
    static func geqrfWork(_ m: Int32, _ n: Int32, _ a: UnsafeMutablePointer<Double>, _ lda: Int32, _ tau: UnsafeMutablePointer<Double>,
                          _ work: UnsafeMutablePointer<Double>, _ lwork: Int32) -> Int32 {
        LAPACKE_dgeqrf_work(LAPACK_ROW_MAJOR, m, n, a, lda, tau, work, lwork)
    }
    static func orgqrWork(_ m: Int32, _ n: Int32, _ k: Int32, _ a: UnsafeMutablePointer<Double>, _ lda: Int32, _ tau: UnsafePointer<Double>,
                          _ work: UnsafeMutablePointer<Double>, _ lwork: Int32) -> Int32 {
        LAPACKE_dorgqr_work(LAPACK_ROW_MAJOR, m, n, k, a, lda, tau, work, lwork)
    }
    static func gesddWork(_ job: CChar, _ m: Int32, _ n: Int32, _ a: UnsafeMutablePointer<Double>, _ lda: Int32,
                          _ s: UnsafeMutablePointer<Double>, _ u: UnsafeMutablePointer<Double>, _ ldu: Int32,
                          _ vt: UnsafeMutablePointer<Double>, _ ldvt: Int32, _ work: UnsafeMutablePointer<Double>, _ lwork: Int32,
                          _ integers: UnsafeMutablePointer<Int32>) -> Int32 {
        LAPACKE_dgesdd_work(LAPACK_ROW_MAJOR, job, m, n, a, lda, s, u, ldu, vt, ldvt, work, lwork, integers)
    }
    static func syevdWork(_ job: CChar, _ uplo: CChar, _ n: Int32, _ a: UnsafeMutablePointer<Double>, _ lda: Int32,
                          _ w: UnsafeMutablePointer<Double>, _ work: UnsafeMutablePointer<Double>, _ lwork: Int32,
                          _ integers: UnsafeMutablePointer<Int32>, _ integerCount: Int32) -> Int32 {
        LAPACKE_dsyevd_work(LAPACK_COL_MAJOR, job, uplo, n, a, lda, w, work, lwork, integers, integerCount)
    }
    static func gelsdWork(_ m: Int32, _ n: Int32, _ rhs: Int32, _ a: UnsafeMutablePointer<Double>, _ lda: Int32,
                          _ b: UnsafeMutablePointer<Double>, _ ldb: Int32, _ s: UnsafeMutablePointer<Double>, _ rcond: Double,
                          _ rank: UnsafeMutablePointer<Int32>, _ work: UnsafeMutablePointer<Double>, _ lwork: Int32,
                          _ integers: UnsafeMutablePointer<Int32>) -> Int32 {
        LAPACKE_dgelsd_work(LAPACK_ROW_MAJOR, m, n, rhs, a, lda, b, ldb, s, rcond, rank, work, lwork, integers)
    }
}

nonisolated(unsafe) private let doubleOnes = OnesVector.allocate(Double.self)
