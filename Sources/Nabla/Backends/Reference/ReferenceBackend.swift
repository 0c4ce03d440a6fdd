/// Kernels in plain Swift, with no C calls. Loops keep several independent
/// accumulators and unit-stride inner loops so the optimizer vectorizes them.
struct ReferenceBackend: Backend {
    var kind: BackendKind { .reference }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    func gemm<T: BLASScalar>(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: T,
                             a: UnsafePointer<T>, lda: Int, b: UnsafePointer<T>, ldb: Int,
                             beta: T, c: UnsafeMutablePointer<T>, ldc: Int) {
        referenceGemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                      a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    func gemv<T: BLASScalar>(transpose: Bool, m: Int, n: Int, alpha: T, a: UnsafePointer<T>, lda: Int,
                             x: UnsafePointer<T>, incx: Int, beta: T, y: UnsafeMutablePointer<T>, incy: Int) {
        if transpose {
            // y[j] = beta*y[j] + alpha * sum_i A[i, j] * x[i]: accumulate rows of A into a contiguous buffer.
            let accumulator = UnsafeMutablePointer<T>.allocate(capacity: n)
            defer { accumulator.deallocate() }
            accumulator.initialize(repeating: 0, count: n)
            for i in 0..<m {
                let row = a + i * lda
                let xi = x[i * incx]
                for j in 0..<n { accumulator[j] += row[j] * xi }
            }
            for j in 0..<n {
                y[j * incy] = (beta == 0 ? 0 : beta * y[j * incy]) + alpha * accumulator[j]
            }
        } else {
            for i in 0..<m {
                let product = incx == 1
                    ? contiguousDot(count: n, a + i * lda, x)
                    : dot(count: n, x: a + i * lda, incx: 1, y: x, incy: incx)
                y[i * incy] = (beta == 0 ? 0 : beta * y[i * incy]) + alpha * product
            }
        }
    }

    /// In square tiles, so that the rows read and the rows written both stay in cache.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    func transpose<T: BLASScalar>(rows: Int, columns: Int, a: UnsafePointer<T>, b: UnsafeMutablePointer<T>) {
        let tile = 16
        for rowStart in stride(from: 0, to: rows, by: tile) {
            let rowEnd = Swift.min(rows, rowStart + tile)
            for columnStart in stride(from: 0, to: columns, by: tile) {
                for column in columnStart..<Swift.min(columns, columnStart + tile) {
                    let out = b + column * rows
                    for row in rowStart..<rowEnd { out[row] = a[row * columns + column] }
                }
            }
        }
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    func axpy<T: BLASScalar>(count: Int, alpha: T, x: UnsafePointer<T>, y: UnsafeMutablePointer<T>) {
        for i in 0..<count { y[i] += alpha * x[i] }
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    func scale<T: BLASScalar>(count: Int, alpha: T, x: UnsafeMutablePointer<T>) {
        for i in 0..<count { x[i] *= alpha }
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    func dot<T: BLASScalar>(count: Int, x: UnsafePointer<T>, incx: Int, y: UnsafePointer<T>, incy: Int) -> T {
        if incx == 1 && incy == 1 { return contiguousDot(count: count, x, y) }
        var total: T = 0
        for i in 0..<count { total += x[i * incx] * y[i * incy] }
        return total
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    func sum<T: BLASScalar>(outer: Int, length: Int, inner: Int, x: UnsafePointer<T>, into y: UnsafeMutablePointer<T>) {
        if inner == 1 {
            for o in 0..<outer { y[o] = contiguousSum(count: length, x + o * length) }
            return
        }
        for o in 0..<outer {
            let out = y + o * inner
            out.update(repeating: 0, count: inner)
            for l in 0..<length {
                let row = x + (o * length + l) * inner
                for j in 0..<inner { out[j] += row[j] }
            }
        }
    }

    /// Eight partial sums in flight, so the loop vectorizes and is not bound by one add's latency.
    private func contiguousDot<T: BLASScalar>(count: Int, _ x: UnsafePointer<T>, _ y: UnsafePointer<T>) -> T {
        var partial = SIMD8<T>()
        var i = 0
        while i + 8 <= count {
            partial += UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<T>.self)
                * UnsafeRawPointer(y + i).loadUnaligned(as: SIMD8<T>.self)
            i += 8
        }
        var total = partial.sum()
        while i < count { total += x[i] * y[i]; i += 1 }
        return total
    }

    private func contiguousSum<T: BLASScalar>(count: Int, _ x: UnsafePointer<T>) -> T {
        var partial = SIMD16<T>()
        var i = 0
        while i + 16 <= count {
            partial += UnsafeRawPointer(x + i).loadUnaligned(as: SIMD16<T>.self)
            i += 16
        }
        var total = partial.sum()
        while i < count { total += x[i]; i += 1 }
        return total
    }
}
