/// C = alpha * op(A) * op(B) + beta * C for row-major matrices (placeholder being replaced by the blocked kernel).
func referenceGemm(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                   a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                   beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
    for i in 0..<m {
        let row = c + i * ldc
        for j in 0..<n { row[j] = beta == 0 ? 0 : beta * row[j] }
        for p in 0..<k {
            let aip = alpha * (transposeA ? a[p * lda + i] : a[i * lda + p])
            for j in 0..<n { row[j] += aip * (transposeB ? b[j * ldb + p] : b[p * ldb + j]) }
        }
    }
}
