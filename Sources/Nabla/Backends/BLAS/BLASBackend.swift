import COpenBLAS
import Foundation

/// Kernels delegated to OpenBLAS's CBLAS interface (`cblas_s*` for Float,
/// `cblas_d*` for Double, through ``BLASScalar``). Sums are gemv products
/// with a vector of ones, so that reductions also run in OpenBLAS.
struct BLASBackend: Backend {
    var kind: BackendKind { .blas }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    func gemm<T: BLASScalar>(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: T,
                             a: UnsafePointer<T>, lda: Int, b: UnsafePointer<T>, ldb: Int,
                             beta: T, c: UnsafeMutablePointer<T>, ldc: Int) {
        guard m > 0, n > 0 else { return }
        onOneThreadIf(Swift.min(m, n, k) < 64 || m * n * k < BLASBackend.productThreshold) {
            T.gemm(transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                   blasInt(m), blasInt(n), blasInt(k), alpha, a, blasInt(lda), b, blasInt(ldb), beta, c, blasInt(ldc))
        }
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    func gemv<T: BLASScalar>(transpose: Bool, m: Int, n: Int, alpha: T, a: UnsafePointer<T>, lda: Int,
                             x: UnsafePointer<T>, incx: Int, beta: T, y: UnsafeMutablePointer<T>, incy: Int) {
        guard m > 0, n > 0 else {
            // BLAS returns at once for an empty matrix; y must still become beta * y.
            let length = transpose ? n : m
            for i in 0..<length { y[i * incy] = beta == 0 ? 0 : beta * y[i * incy] }
            return
        }
        onOneThreadIf(m * n < 1 << 17) {
            T.gemv(transpose ? CblasTrans : CblasNoTrans, blasInt(m), blasInt(n), alpha,
                   a, blasInt(lda), x, blasInt(incx), beta, y, blasInt(incy))
        }
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    func transpose<T: BLASScalar>(rows: Int, columns: Int, a: UnsafePointer<T>, b: UnsafeMutablePointer<T>) {
        guard rows > 0, columns > 0 else { return }
        T.omatcopy(CblasTrans, blasInt(rows), blasInt(columns), 1, a, blasInt(columns), b, blasInt(rows))
    }

    // axpy and scal work element by element: any thread count gives the same result,
    // so they need no gate.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    func axpy<T: BLASScalar>(count: Int, alpha: T, x: UnsafePointer<T>, y: UnsafeMutablePointer<T>) {
        T.axpy(blasInt(count), alpha, x, 1, y, 1)
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    func scale<T: BLASScalar>(count: Int, alpha: T, x: UnsafeMutablePointer<T>) {
        T.scal(blasInt(count), alpha, x, 1)
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    func dot<T: BLASScalar>(count: Int, x: UnsafePointer<T>, incx: Int, y: UnsafePointer<T>, incy: Int) -> T {
        var result: T = 0
        // Through the gate, like every call whose result could depend on the thread count.
        onOneThreadIf(false) { result = T.dot(blasInt(count), x, blasInt(incx), y, blasInt(incy)) }
        return result
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    func sum<T: BLASScalar>(outer: Int, length: Int, inner: Int, x: UnsafePointer<T>, into y: UnsafeMutablePointer<T>) {
        guard length > 0 else { y.update(repeating: 0, count: outer * inner); return }
        let ones = T.ones
        // On one OpenBLAS thread whatever the size: a threaded gemv's sums depend on the thread
        // count (a transposed sgemv of 65536×2 differs in its last bits between one and two).
        onOneThreadIf(true) {
            if inner == 1 && length <= 256 {
                // Short rows: one gemv, [outer, length] · ones, gives every row sum.
                T.gemv(CblasNoTrans, blasInt(outer), blasInt(length), 1, x, blasInt(length), ones, 1, 0, y, 1)
            } else if inner == 1 {
                // Long rows: dot against ones in cache-sized pieces, which OpenBLAS
                // streams at close to memory bandwidth (its gemv kernel reaches half).
                for o in 0..<outer {
                    let row = x + o * length
                    var total: T = 0
                    for start in stride(from: 0, to: length, by: OnesVector.dotPiece) {
                        total += T.dot(blasInt(Swift.min(OnesVector.dotPiece, length - start)), row + start, 1, ones, 1)
                    }
                    y[o] = total
                }
            } else {
                // Each [length, inner] block transposed · ones gives its column sums,
                // accumulated over pieces of as many rows as there are ones.
                for o in 0..<outer {
                    for start in stride(from: 0, to: length, by: OnesVector.count) {
                        T.gemv(CblasTrans, blasInt(Swift.min(OnesVector.count, length - start)), blasInt(inner), 1,
                               x + (o * length + start) * inner, blasInt(inner), ones, 1, start == 0 ? 0 : 1, y + o * inner, 1)
                    }
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

/// The vectors of ones that sums are computed against (256 KiB in Float, so it stays in L2),
/// one per scalar type (``BLASScalar/ones``).
enum OnesVector {
    static let count = 65536
    /// How much of a row one dot takes: OpenBLAS's sdot streams best when both
    /// operands' pieces fit in L1 (measured here: 28 GB/s at 512–2048, 18 at 8192 and up).
    static let dotPiece = 2048

    /// A vector of `count` ones, never freed.
    static func allocate<T: BLASScalar>(_: T.Type) -> UnsafePointer<T> {
        let buffer = UnsafeMutablePointer<T>.allocate(capacity: count)
        buffer.initialize(repeating: 1, count: count)
        return UnsafePointer(buffer)
    }
}
