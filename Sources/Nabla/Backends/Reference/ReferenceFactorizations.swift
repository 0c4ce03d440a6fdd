/// The factorisations behind `Linalg`, in plain Swift: the same algorithms as
/// LAPACK's unblocked getf2/getrs/potf2, with row-major inner loops.
extension ReferenceBackend {
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    func luFactor<T: BLASScalar>(n: Int, a: UnsafeMutablePointer<T>, lda: Int, pivots: UnsafeMutablePointer<Int32>) -> Int {
        var singularAt = 0
        for column in 0..<n {
            // Partial pivoting: the largest magnitude in this column at or below the diagonal.
            var pivot = column
            for row in (column + 1)..<Swift.max(n, column + 1) where Swift.abs(a[row * lda + column]) > Swift.abs(a[pivot * lda + column]) {
                pivot = row
            }
            pivots[column] = Int32(pivot + 1)
            if pivot != column {
                for j in 0..<n { swap(&a[pivot * lda + j], &a[column * lda + j]) }
            }
            let diagonal = a[column * lda + column]
            guard diagonal != 0 else {
                if singularAt == 0 { singularAt = column + 1 }
                continue
            }
            let pivotRow = a + column * lda
            for row in (column + 1)..<Swift.max(n, column + 1) {
                let target = a + row * lda
                let factor = target[column] / diagonal
                target[column] = factor
                for j in (column + 1)..<n { target[j] -= factor * pivotRow[j] }
            }
        }
        return singularAt
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    func luSolve<T: BLASScalar>(n: Int, rhs: Int, lu: UnsafePointer<T>, lda: Int, pivots: UnsafePointer<Int32>,
                                b: UnsafeMutablePointer<T>, ldb: Int) {
        for i in 0..<n where Int(pivots[i]) - 1 != i {
            let other = Int(pivots[i]) - 1
            for j in 0..<rhs { swap(&b[i * ldb + j], &b[other * ldb + j]) }
        }
        // Forward substitution with the unit lower triangle, then back substitution with U.
        for i in 0..<n {
            let row = b + i * ldb
            for p in 0..<i {
                let factor = lu[i * lda + p], source = b + p * ldb
                for j in 0..<rhs { row[j] -= factor * source[j] }
            }
        }
        for i in stride(from: n - 1, through: 0, by: -1) {
            let row = b + i * ldb
            for p in (i + 1)..<Swift.max(n, i + 1) {
                let factor = lu[i * lda + p], source = b + p * ldb
                for j in 0..<rhs { row[j] -= factor * source[j] }
            }
            let diagonal = lu[i * lda + i]
            for j in 0..<rhs { row[j] /= diagonal }
        }
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    func choleskyFactor<T: BLASScalar>(n: Int, a: UnsafeMutablePointer<T>, lda: Int) -> Int {
        for j in 0..<n {
            let rowJ = a + j * lda
            var diagonal = rowJ[j]
            for p in 0..<j { diagonal -= rowJ[p] * rowJ[p] }
            // potf2's test: a pivot that is not positive, or NaN, stops; an infinite one goes on, as in LAPACK.
            guard diagonal > 0 else { return j + 1 }
            let root = diagonal.squareRoot()
            rowJ[j] = root
            for i in (j + 1)..<Swift.max(n, j + 1) {
                let rowI = a + i * lda
                var value = rowI[j]
                for p in 0..<j { value -= rowI[p] * rowJ[p] }
                rowI[j] = value / root
            }
        }
        return 0
    }
}
