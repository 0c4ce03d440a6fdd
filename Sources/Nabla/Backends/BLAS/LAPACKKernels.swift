import CLAPACKE

/// The factorisations behind `Linalg`, delegated to LAPACKE (`LAPACKE_s*` or `LAPACKE_d*`).
extension BLASBackend {
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    func luFactor<T: BLASScalar>(n: Int, a: UnsafeMutablePointer<T>, lda: Int, pivots: UnsafeMutablePointer<Int32>) -> Int {
        guard n > 0 else { return 0 }
        var info: Int32 = 0
        onOneThreadIf(n * n * n < BLASBackend.productThreshold) {
            info = T.getrf(Int32(n), Int32(n), a, Int32(lda), pivots)
        }
        return Int(info)
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    func luSolve<T: BLASScalar>(n: Int, rhs: Int, lu: UnsafePointer<T>, lda: Int, pivots: UnsafePointer<Int32>,
                                b: UnsafeMutablePointer<T>, ldb: Int) {
        guard n > 0, rhs > 0 else { return }
        var info: Int32 = 0
        onOneThreadIf(n * n * rhs < BLASBackend.productThreshold) {
            info = T.getrs(CChar(UInt8(ascii: "N")), Int32(n), Int32(rhs), lu, Int32(lda), pivots, b, Int32(ldb))
        }
        if info != 0 { fail("solve: LAPACKE_\(T.blasPrefix)getrs rejected argument \(-info)") }
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    func choleskyFactor<T: BLASScalar>(n: Int, a: UnsafeMutablePointer<T>, lda: Int) -> Int {
        guard n > 0 else { return 0 }
        var info: Int32 = 0
        onOneThreadIf(n * n * n < BLASBackend.productThreshold) {
            info = T.potrf(CChar(UInt8(ascii: "L")), Int32(n), a, Int32(lda))
        }
        return Int(info)
    }
}
