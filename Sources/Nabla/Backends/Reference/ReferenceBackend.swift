/// Kernels in plain Swift, with no C calls. Loops keep several independent
/// accumulators and unit-stride inner loops so the optimizer vectorizes them.
public struct ReferenceBackend: Backend {
    public init() {}
    public var kind: BackendKind { .reference }

    public func gemm(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                     a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                     beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        referenceGemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                      a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
    }

    public func gemv(transpose: Bool, m: Int, n: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int,
                     x: UnsafePointer<Float>, incx: Int, beta: Float, y: UnsafeMutablePointer<Float>, incy: Int) {
        if transpose {
            // y[j] = beta*y[j] + alpha * sum_i A[i, j] * x[i]: accumulate rows of A into a contiguous buffer.
            let accumulator = UnsafeMutablePointer<Float>.allocate(capacity: n)
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

    public func axpy(count: Int, alpha: Float, x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>) {
        for i in 0..<count { y[i] += alpha * x[i] }
    }

    public func scale(count: Int, alpha: Float, x: UnsafeMutablePointer<Float>) {
        for i in 0..<count { x[i] *= alpha }
    }

    public func dot(count: Int, x: UnsafePointer<Float>, incx: Int, y: UnsafePointer<Float>, incy: Int) -> Float {
        if incx == 1 && incy == 1 { return contiguousDot(count: count, x, y) }
        var total: Float = 0
        for i in 0..<count { total += x[i * incx] * y[i * incy] }
        return total
    }

    public func sum(outer: Int, length: Int, inner: Int, x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>) {
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
    private func contiguousDot(count: Int, _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>) -> Float {
        var partial = SIMD8<Float>()
        var i = 0
        while i + 8 <= count {
            partial += UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self)
                * UnsafeRawPointer(y + i).loadUnaligned(as: SIMD8<Float>.self)
            i += 8
        }
        var total = partial.sum()
        while i < count { total += x[i] * y[i]; i += 1 }
        return total
    }

    private func contiguousSum(count: Int, _ x: UnsafePointer<Float>) -> Float {
        var partial = SIMD16<Float>()
        var i = 0
        while i + 16 <= count {
            partial += UnsafeRawPointer(x + i).loadUnaligned(as: SIMD16<Float>.self)
            i += 16
        }
        var total = partial.sum()
        while i < count { total += x[i]; i += 1 }
        return total
    }
}
