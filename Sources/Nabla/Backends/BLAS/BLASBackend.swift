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
        onOneThreadIf(Swift.min(m, n, k) < 64 || m * n * k < BLASBackend.productThreshold) {
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
        onOneThreadIf(m * n < 1 << 17) {
            cblas_sgemv(CblasRowMajor, transpose ? CblasTrans : CblasNoTrans, blasInt(m), blasInt(n), alpha,
                        a, blasInt(lda), x, blasInt(incx), beta, y, blasInt(incy))
        }
    }

    // axpy and scal work element by element: any thread count gives the same result,
    // so they need no gate.
    public func axpy(count: Int, alpha: Float, x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>) {
        cblas_saxpy(blasInt(count), alpha, x, 1, y, 1)
    }

    public func scale(count: Int, alpha: Float, x: UnsafeMutablePointer<Float>) {
        cblas_sscal(blasInt(count), alpha, x, 1)
    }

    public func dot(count: Int, x: UnsafePointer<Float>, incx: Int, y: UnsafePointer<Float>, incy: Int) -> Float {
        var result: Float = 0
        // Through the gate, like every call whose result could depend on the thread count.
        onOneThreadIf(false) { result = cblas_sdot(blasInt(count), x, blasInt(incx), y, blasInt(incy)) }
        return result
    }

    public func sum(outer: Int, length: Int, inner: Int, x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>) {
        guard length > 0 else { y.update(repeating: 0, count: outer * inner); return }
        let ones = UnsafePointer(OnesVector.pointer)
        if inner == 1 && length <= 256 {
            // Short rows: one gemv, [outer, length] · ones, gives every row sum.
            gemv(transpose: false, m: outer, n: length, alpha: 1, a: x, lda: length, x: ones, incx: 1, beta: 0, y: y, incy: 1)
        } else if inner == 1 {
            // Long rows: sdot against ones in cache-sized pieces, which OpenBLAS
            // streams at close to memory bandwidth (its gemv kernel reaches half).
            // Pieces this short never run threaded, so the thread count cannot change them.
            for o in 0..<outer {
                let row = x + o * length
                var total: Float = 0
                for start in stride(from: 0, to: length, by: OnesVector.dotPiece) {
                    total += cblas_sdot(blasInt(Swift.min(OnesVector.dotPiece, length - start)), row + start, 1, ones, 1)
                }
                y[o] = total
            }
        } else {
            // Each [length, inner] block transposed · ones gives its column sums,
            // accumulated over pieces of as many rows as there are ones.
            for o in 0..<outer {
                for start in stride(from: 0, to: length, by: OnesVector.count) {
                    gemv(transpose: true, m: Swift.min(OnesVector.count, length - start), n: inner, alpha: 1,
                         a: x + (o * length + start) * inner, lda: inner,
                         x: ones, incx: 1, beta: start == 0 ? 0 : 1, y: y + o * inner, incy: 1)
                }
            }
        }
    }

    /// Products (and factorisations) of fewer multiply-adds than this run on one thread.
    static let productThreshold = 1 << 21

    /// Runs `body` with OpenBLAS limited to one thread when `small`: with few
    /// cores, waking a second thread for a small or skinny product costs more
    /// than it saves (measured here: the lesson's 256×784·784×30 and its
    /// gradient products, whose smallest side is 30, ran 1.5–2× faster on
    /// one thread; squares from 128 and matrix·vector from 2¹⁷ multiply-adds
    /// gain from two). The switch goes through ``ThreadCountGate``, so another
    /// thread's switch can never change the count under this call.
    func onOneThreadIf(_ small: Bool, _ body: () -> Void) {
        BLASThreads.gate.run(small: small, body)
    }

    private func blasInt(_ value: Int) -> Int32 {
        guard value <= Int(Int32.max) else { fail("BLAS: dimension \(value) exceeds the 32-bit BLAS interface") }
        return Int32(value)
    }
}

/// The vector of ones that sums are computed against (256 KiB, so it stays in L2).
enum OnesVector {
    static let count = 65536
    /// How much of a row one sdot takes: OpenBLAS's sdot streams best when both
    /// operands' pieces fit in L1 (measured here: 28 GB/s at 512–2048, 18 at 8192 and up).
    static let dotPiece = 2048
    nonisolated(unsafe) static let pointer: UnsafeMutablePointer<Float> = {
        let buffer = UnsafeMutablePointer<Float>.allocate(capacity: count)
        buffer.initialize(repeating: 1, count: count)
        return buffer
    }()
}
