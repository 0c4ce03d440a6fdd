import CLAPACKE

/// QR, SVD, symmetric eigen and least squares through LAPACKE's `_work`
/// entry points with `LAPACK_ROW_MAJOR`: the workspace is sized by one query
/// per call and reused for every matrix of the batch.
extension BLASBackend {
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    func qrFactor<T: BLASScalar>(batch: Int, m: Int, n: Int, a: UnsafeMutablePointer<T>, tau: UnsafeMutablePointer<T>) {
        let k = Swift.min(m, n)
        guard batch > 0, k > 0 else { return }
        var work = Workspace<T> { lwork, work in
            T.geqrfWork(lapackInt(m), lapackInt(n), a, lapackInt(n), tau, work, lwork)
        }
        onOneThreadIf(m * n * k < BLASBackend.productThreshold) {
            for index in 0..<batch {
                let info = work.withBuffer { buffer, lwork in
                    T.geqrfWork(lapackInt(m), lapackInt(n), a + index * m * n, lapackInt(n),
                                        tau + index * k, buffer, lwork)
                }
                checkArguments(info, T.self, "geqrf")
            }
        }
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    func qrFormQ<T: BLASScalar>(batch: Int, m: Int, columns: Int, reflectors: Int, a: UnsafeMutablePointer<T>, tau: UnsafePointer<T>) {
        guard batch > 0, m > 0, columns > 0 else { return }
        var work = Workspace<T> { lwork, work in
            T.orgqrWork(lapackInt(m), lapackInt(columns), lapackInt(reflectors), a,
                                lapackInt(columns), tau, work, lwork)
        }
        onOneThreadIf(m * columns * Swift.max(reflectors, 1) < BLASBackend.productThreshold) {
            for index in 0..<batch {
                let info = work.withBuffer { buffer, lwork in
                    T.orgqrWork(lapackInt(m), lapackInt(columns), lapackInt(reflectors),
                                        a + index * m * columns, lapackInt(columns), tau + index * reflectors, buffer, lwork)
                }
                checkArguments(info, T.self, "orgqr")
            }
        }
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    func singularValueDecomposition<T: BLASScalar>(batch: Int, m: Int, n: Int, vectors: SVDVectors, a: UnsafeMutablePointer<T>,
                                                   s: UnsafeMutablePointer<T>, u: UnsafeMutablePointer<T>?,
                                                   vt: UnsafeMutablePointer<T>?) -> FactorizationFailure? {
        let k = Swift.min(m, n)
        guard batch > 0, k > 0 else { return nil }
        let job: UInt8, uColumns: Int, vtRows: Int
        switch vectors {
        case .none: (job, uColumns, vtRows) = (UInt8(ascii: "N"), 1, 1)
        case .thin: (job, uColumns, vtRows) = (UInt8(ascii: "S"), k, k)
        case .full: (job, uColumns, vtRows) = (UInt8(ascii: "A"), m, n)
        }
        // LAPACKE wants vector arrays even when gesdd does not write them.
        let placeholder = UnsafeMutablePointer<T>.allocate(capacity: 1)
        defer { placeholder.deallocate() }
        let uBase = u ?? placeholder, vtBase = vt ?? placeholder
        let uStep = u == nil ? 0 : m * uColumns, vtStep = vt == nil ? 0 : vtRows * n
        var integers = [Int32](repeating: 0, count: 8 * k)
        var work = Workspace<T> { lwork, work in
            T.gesddWork(CChar(job), lapackInt(m), lapackInt(n), a, lapackInt(n), s,
                                uBase, lapackInt(uColumns), vtBase, lapackInt(n), work, lwork, &integers)
        }
        var failure: FactorizationFailure?
        onOneThreadIf(m * n * k < BLASBackend.productThreshold) {
            for index in 0..<batch where failure == nil {
                let info = work.withBuffer { buffer, lwork in
                    T.gesddWork(CChar(job), lapackInt(m), lapackInt(n), a + index * m * n, lapackInt(n),
                                        s + index * k, uBase + index * uStep, lapackInt(uColumns),
                                        vtBase + index * vtStep, lapackInt(n), buffer, lwork, &integers)
                }
                checkArguments(info, T.self, "gesdd")
                if info > 0 { failure = FactorizationFailure(matrix: index, info: Int(info)) }
            }
        }
        return failure
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    func symmetricEigen<T: BLASScalar>(batch: Int, n: Int, vectors: Bool, a: UnsafeMutablePointer<T>,
                                       w: UnsafeMutablePointer<T>) -> FactorizationFailure? {
        guard batch > 0, n > 0 else { return nil }
        let job = CChar(UInt8(ascii: vectors ? "V" : "N")), lower = CChar(UInt8(ascii: "L"))
        // syevd reports both workspace sizes, the real one and the integer one.
        var realSize: T = 0, integerSize: Int32 = 0
        let queried = T.syevdWork(job, lower, lapackInt(n), a, lapackInt(n), w,
                                          &realSize, -1, &integerSize, -1)
        checkArguments(queried, T.self, "syevd")
        var real = [T](repeating: 0, count: Swift.max(1, Int(realSize)))
        var integers = [Int32](repeating: 0, count: Swift.max(1, Int(integerSize)))
        var failure: FactorizationFailure?
        // Always one thread: syevd's eigenvectors depend on OpenBLAS's thread count in their last bits
        // (the lesson's eigen-digits picture differed between 1 and 2 threads), and results must not.
        onOneThreadIf(true) {
            for index in 0..<batch where failure == nil {
                // LAPACK is column-major, and LAPACKE's row-major call would copy A into a second
                // n × n buffer and the eigenvectors back (for the lesson's 785 × 785 float64 Gram matrix,
                // 4.9 MB at its peak). Mirroring the lower triangle into the upper makes the buffer the
                // same matrix in either order, so LAPACK reads the very values LAPACKE's copy would hold
                // (the result is bit for bit the same); its eigenvectors come back as columns and are transposed in place.
                let matrix = a + index * n * n
                mirrorLowerTriangle(n: n, matrix)
                let info = T.syevdWork(job, lower, lapackInt(n), matrix, lapackInt(n),
                                               w + index * n, &real, lapackInt(real.count), &integers, lapackInt(integers.count))
                checkArguments(info, T.self, "syevd")
                if info > 0 { failure = FactorizationFailure(matrix: index, info: Int(info)) }
                if vectors { transposeSquareInPlace(n: n, matrix) }
            }
        }
        return failure
    }

    /// Copies the lower triangle of a row-major n × n matrix (n ≥ 1) over its upper one.
    private func mirrorLowerTriangle<T>(n: Int, _ a: UnsafeMutablePointer<T>) {
        for row in 1..<n {
            for column in 0..<row { a[column * n + row] = a[row * n + column] }
        }
    }

    /// Transposes a row-major n × n matrix (n ≥ 1) where it lies.
    private func transposeSquareInPlace<T>(n: Int, _ a: UnsafeMutablePointer<T>) {
        for row in 1..<n {
            for column in 0..<row {
                let below = a[row * n + column]
                a[row * n + column] = a[column * n + row]
                a[column * n + row] = below
            }
        }
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    func leastSquares<T: BLASScalar>(batch: Int, m: Int, n: Int, rhs: Int, a: UnsafeMutablePointer<T>,
                                     b: UnsafeMutablePointer<T>, rcond: T, s: UnsafeMutablePointer<T>,
                                     rank: UnsafeMutablePointer<Int>) -> FactorizationFailure? {
        let k = Swift.min(m, n), rows = Swift.max(m, n)
        guard batch > 0 else { return nil }
        guard k > 0 else {
            // An empty A: X is zero and of rank 0, as gelsd would make it.
            for index in 0..<batch { rank[index] = 0 }
            b.update(repeating: 0, count: batch * rows * rhs)
            return nil
        }
        var computedRank: Int32 = 0, integerSize: Int32 = 1
        var work = Workspace<T> { lwork, work in
            T.gelsdWork(lapackInt(m), lapackInt(n), lapackInt(rhs), a, lapackInt(n),
                                b, lapackInt(Swift.max(rhs, 1)), s, rcond, &computedRank, work, lwork, &integerSize)
        }
        var integers = [Int32](repeating: 0, count: Swift.max(1, Int(integerSize)))
        var failure: FactorizationFailure?
        onOneThreadIf(m * n * k < BLASBackend.productThreshold) {
            for index in 0..<batch where failure == nil {
                let info = work.withBuffer { buffer, lwork in
                    T.gelsdWork(lapackInt(m), lapackInt(n), lapackInt(rhs), a + index * m * n, lapackInt(n),
                                        b + index * rows * rhs, lapackInt(Swift.max(rhs, 1)), s + index * k, rcond,
                                        &computedRank, buffer, lwork, &integers)
                }
                checkArguments(info, T.self, "gelsd")
                if info > 0 { failure = FactorizationFailure(matrix: index, info: Int(info)) }
                rank[index] = Int(computedRank)
            }
        }
        return failure
    }
}

/// A LAPACK workspace sized by one query (`lwork = -1`), then reused.
private struct Workspace<T: BLASScalar> {
    private var buffer: [T]

    init(query: (_ lwork: Int32, _ work: UnsafeMutablePointer<T>) -> Int32) {
        var size: T = 0
        checkArguments(query(-1, &size), T.self, "workspace query")
        // LAPACK reports the size as a floating-point number; round up so a large size is not cut short.
        buffer = [T](repeating: 0, count: Swift.max(1, Int(size.nextUp)))
    }

    mutating func withBuffer(_ body: (UnsafeMutablePointer<T>, Int32) -> Int32) -> Int32 {
        let count = lapackInt(buffer.count)
        return buffer.withUnsafeMutableBufferPointer { body($0.baseAddress!, count) }
    }
}
