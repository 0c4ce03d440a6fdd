import COpenBLAS
import Foundation

/// Kernels delegated to OpenBLAS's CBLAS interface. Sums are `sgemv` products
/// with a vector of ones, so that reductions also run in OpenBLAS.
public struct BLASBackend: Backend {
    public init() {}
    public var kind: BackendKind { .blas }

    public func gemm(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                     a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                     beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        guard m > 0, n > 0 else { return }
        onOneThreadIfSmall(work: m * n * k, threshold: 1 << 25) {
            cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                        blasInt(m), blasInt(n), blasInt(k), alpha, a, blasInt(lda), b, blasInt(ldb), beta, c, blasInt(ldc))
        }
    }

    public func gemv(transpose: Bool, m: Int, n: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int,
                     x: UnsafePointer<Float>, incx: Int, beta: Float, y: UnsafeMutablePointer<Float>, incy: Int) {
        guard m > 0, n > 0 else {
            // BLAS returns at once for an empty matrix; y must still become beta * y.
            let length = transpose ? n : m
            for i in 0..<length { y[i * incy] = beta == 0 ? 0 : beta * y[i * incy] }
            return
        }
        onOneThreadIfSmall(work: m * n, threshold: 1 << 22) {
            cblas_sgemv(CblasRowMajor, transpose ? CblasTrans : CblasNoTrans, blasInt(m), blasInt(n), alpha,
                        a, blasInt(lda), x, blasInt(incx), beta, y, blasInt(incy))
        }
    }

    public func axpy(count: Int, alpha: Float, x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>) {
        cblas_saxpy(blasInt(count), alpha, x, 1, y, 1)
    }

    public func scale(count: Int, alpha: Float, x: UnsafeMutablePointer<Float>) {
        cblas_sscal(blasInt(count), alpha, x, 1)
    }

    public func dot(count: Int, x: UnsafePointer<Float>, incx: Int, y: UnsafePointer<Float>, incy: Int) -> Float {
        cblas_sdot(blasInt(count), x, blasInt(incx), y, blasInt(incy))
    }

    public func sum(outer: Int, length: Int, inner: Int, x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>) {
        guard length > 0 else { y.update(repeating: 0, count: outer * inner); return }
        let ones = OnesVector.pointer(count: length)
        if inner == 1 {
            // [outer, length] · ones: one gemv for every row sum.
            gemv(transpose: false, m: outer, n: length, alpha: 1, a: x, lda: length, x: ones, incx: 1, beta: 0, y: y, incy: 1)
        } else {
            // Each [length, inner] block transposed · ones gives its column sums.
            for o in 0..<outer {
                gemv(transpose: true, m: length, n: inner, alpha: 1, a: x + o * length * inner, lda: inner,
                     x: ones, incx: 1, beta: 0, y: y + o * inner, incy: 1)
            }
        }
    }

    /// Runs `body` with OpenBLAS limited to one thread when `work` is below
    /// `threshold`: on a loaded machine with few cores, waking a second thread
    /// for a small product costs more than it saves (the lesson's 256×784·784×30
    /// runs about 1.5× faster on one thread here). Setting the count is a store,
    /// a few nanoseconds; OpenBLAS's own cut-off is far lower.
    private func onOneThreadIfSmall(work: Int, threshold: Int, _ body: () -> Void) {
        let configured = openblas_get_num_threads()
        guard work < threshold && configured > 1 else { return body() }
        openblas_set_num_threads(1)
        body()
        openblas_set_num_threads(configured)
    }

    private func blasInt(_ value: Int) -> Int32 {
        guard value <= Int(Int32.max) else { fail("BLAS: dimension \(value) exceeds the 32-bit BLAS interface") }
        return Int32(value)
    }
}

/// A shared, never-shrinking vector of ones for sums computed as products.
/// Old buffers are kept alive, so a pointer handed out stays valid for ever.
enum OnesVector {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var buffers: [UnsafeMutablePointer<Float>] = []
    nonisolated(unsafe) private static var capacity = 0

    static func pointer(count: Int) -> UnsafePointer<Float> {
        lock.lock()
        defer { lock.unlock() }
        if count > capacity {
            let newCapacity = Swift.max(count, capacity * 2, 1024)
            let buffer = UnsafeMutablePointer<Float>.allocate(capacity: newCapacity)
            buffer.initialize(repeating: 1, count: newCapacity)
            buffers.append(buffer)
            capacity = newCapacity
        }
        return UnsafePointer(buffers[buffers.count - 1])
    }
}
