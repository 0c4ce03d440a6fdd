import CLAPACKE

/// The factorisations behind `Linalg`, delegated to LAPACKE.
extension BLASBackend {
    public func luFactor(n: Int, a: UnsafeMutablePointer<Float>, lda: Int, pivots: UnsafeMutablePointer<Int32>) -> Int {
        guard n > 0 else { return 0 }
        var info: Int32 = 0
        onOneThreadIf(n * n * n < BLASBackend.productThreshold) {
            info = LAPACKE_sgetrf(LAPACK_ROW_MAJOR, Int32(n), Int32(n), a, Int32(lda), pivots)
        }
        return Int(info)
    }

    public func luSolve(n: Int, rhs: Int, lu: UnsafePointer<Float>, lda: Int, pivots: UnsafePointer<Int32>,
                        b: UnsafeMutablePointer<Float>, ldb: Int) {
        guard n > 0, rhs > 0 else { return }
        // getrs only reads the factors; LAPACKE's prototype is not const-qualified.
        var info: Int32 = 0
        onOneThreadIf(n * n * rhs < BLASBackend.productThreshold) {
            info = LAPACKE_sgetrs(LAPACK_ROW_MAJOR, CChar(UInt8(ascii: "N")), Int32(n), Int32(rhs),
                                  UnsafeMutablePointer(mutating: lu), Int32(lda), pivots, b, Int32(ldb))
        }
        if info != 0 { fail("solve: LAPACKE_sgetrs rejected argument \(-info)") }
    }

    public func choleskyFactor(n: Int, a: UnsafeMutablePointer<Float>, lda: Int) -> Int {
        guard n > 0 else { return 0 }
        var info: Int32 = 0
        onOneThreadIf(n * n * n < BLASBackend.productThreshold) {
            info = LAPACKE_spotrf(LAPACK_ROW_MAJOR, CChar(UInt8(ascii: "L")), Int32(n), a, Int32(lda))
        }
        return Int(info)
    }
}
