import CLAPACKE

/// The factorisations behind `Linalg`, delegated to LAPACKE (`LAPACKE_s*` or `LAPACKE_d*`).
extension BLASBackend {
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    func luFactor<T: BLASScalar>(n: Int, a: UnsafeMutablePointer<T>, lda: Int, pivots: UnsafeMutablePointer<Int32>) -> Int {
        guard n > 0 else { return 0 }
        var info: Int32 = 0
        onOneThreadIf(n * n * n < BLASBackend.productThreshold) {
            info = T.getrf(lapackInt(n), lapackInt(n), a, lapackInt(lda), pivots)
        }
        checkArguments(info, T.self, "getrf")
        return Int(info)
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    func luSolve<T: BLASScalar>(n: Int, rhs: Int, lu: UnsafePointer<T>, lda: Int, pivots: UnsafePointer<Int32>,
                                b: UnsafeMutablePointer<T>, ldb: Int) {
        guard n > 0, rhs > 0 else { return }
        var info: Int32 = 0
        onOneThreadIf(n * n * rhs < BLASBackend.productThreshold) {
            info = T.getrs(CChar(UInt8(ascii: "N")), lapackInt(n), lapackInt(rhs), lu, lapackInt(lda), pivots, b, lapackInt(ldb))
        }
        checkArguments(info, T.self, "getrs")
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    func choleskyFactor<T: BLASScalar>(n: Int, a: UnsafeMutablePointer<T>, lda: Int) -> Int {
        guard n > 0 else { return 0 }
        var info: Int32 = 0
        onOneThreadIf(n * n * n < BLASBackend.productThreshold) {
            info = T.potrf(CChar(UInt8(ascii: "L")), lapackInt(n), a, lapackInt(lda))
        }
        checkArguments(info, T.self, "potrf")
        // Reference LAPACK stops at a NaN pivot; OpenBLAS's own potrf does not check, so
        // a NaN reaches L's diagonal: report it as LAPACK (and the reference backend) would.
        if info == 0, let first = (0..<n).first(where: { a[$0 * lda + $0].isNaN }) { return first + 1 }
        return Int(info)
    }
}

/// A negative info is an argument LAPACK rejected: a bug in Nabla, never the user's data
/// (the `_work` entry points do not scan for NaN, so a NaN never gives one).
func checkArguments<T: BLASScalar>(_ info: Int32, _: T.Type, _ routine: String) {
    if info < 0 { fail("\(T.blasPrefix)\(routine): LAPACKE rejected argument \(-info) (info \(info))") }
}

func lapackInt(_ value: Int) -> Int32 {
    guard value <= Int(Int32.max) else { fail("LAPACK: dimension \(value) exceeds the 32-bit LAPACK interface") }
    return Int32(value)
}
