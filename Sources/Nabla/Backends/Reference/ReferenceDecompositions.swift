/// QR, SVD, symmetric eigen and least squares in plain Swift, unblocked:
/// Householder QR in LAPACK's representation (so `qrFormQ` reads either
/// backend's factors), one-sided Jacobi SVD (Hestenes), cyclic Jacobi for the
/// symmetric eigenproblem, and least squares through QR for full-rank A only.
/// Row-major inner loops run along contiguous rows.
extension ReferenceBackend {
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    func qrFactor<T: BLASScalar>(batch: Int, m: Int, n: Int, a: UnsafeMutablePointer<T>, tau: UnsafeMutablePointer<T>) {
        let k = Swift.min(m, n)
        let scratch = Scratch<T>(m + n)
        for index in 0..<batch {
            householderQR(m: m, n: n, a: a + index * m * n, tau: tau + index * k, scratch: scratch)
        }
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    func qrFormQ<T: BLASScalar>(batch: Int, m: Int, columns: Int, reflectors: Int, a: UnsafeMutablePointer<T>, tau: UnsafePointer<T>) {
        let vectors = Scratch<T>(m * reflectors), scratch = Scratch<T>(columns)
        for index in 0..<batch {
            let q = a + index * m * columns, taus = tau + index * reflectors
            // Copy the reflectors out (v[0] = 1 implied), then build Q = H₀⋯H₍r−1₎·I from the last reflector back:
            // H_j touches rows j..<m, where the columns before j are still zero.
            for j in 0..<reflectors {
                let v = vectors.pointer + j * m
                v[j] = 1
                for i in (j + 1)..<Swift.max(m, j + 1) { v[i] = q[i * columns + j] }
            }
            for i in 0..<m {
                for c in 0..<columns { q[i * columns + c] = i == c ? 1 : 0 }
            }
            for j in stride(from: reflectors - 1, through: 0, by: -1) {
                applyReflector(vectors.pointer + j * m + j, tau: taus[j], rows: m - j,
                               to: q + j * columns + j, stride: columns, width: columns - j, scratch: scratch.pointer)
            }
        }
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    func singularValueDecomposition<T: BLASScalar>(batch: Int, m: Int, n: Int, vectors: SVDVectors, a: UnsafeMutablePointer<T>,
                                                   s: UnsafeMutablePointer<T>, u: UnsafeMutablePointer<T>?,
                                                   vt: UnsafeMutablePointer<T>?) -> FactorizationFailure? {
        let k = Swift.min(m, n)
        guard k > 0 else { return nil }
        // Rotate the rows of W: Aᵀ when A is tall (its columns), A itself when wide.
        // The rows become orthogonal, with norms the singular values; the rotations,
        // accumulated in Z, give the vectors of the short side.
        let tall = m >= n, length = tall ? m : n
        let w = Scratch<T>(k * length), z = Scratch<T>(vectors == .none ? 0 : k * k)
        let longCount = vectors == .full ? length : k
        let long = Scratch<T>(longCount * length)
        for index in 0..<batch {
            let matrix = a + index * m * n
            if tall {
                for i in 0..<m { for j in 0..<n { w.pointer[j * m + i] = matrix[i * n + j] } }
            } else {
                w.pointer.update(from: matrix, count: m * n)
            }
            // The squared norms of the rows must neither overflow nor underflow.
            let scale = scaleIntoSafeRange(w.pointer, count: k * length)
            if vectors != .none { setIdentity(z.pointer, k) }
            guard jacobiOrthogonalizeRows(w.pointer, rows: k, length: length, accumulating: vectors == .none ? nil : z.pointer) else {
                return FactorizationFailure(matrix: index, info: k)
            }
            let values = s + index * k
            for i in 0..<k {
                values[i] = dot(count: length, x: w.pointer + i * length, incx: 1, y: w.pointer + i * length, incy: 1).squareRoot() / scale
            }
            let order = (0..<k).sorted { values[$0] > values[$1] }
            let sorted = order.map { values[$0] }
            for i in 0..<k { values[i] = sorted[i] }
            guard vectors != .none, let u, let vt else { continue }

            // The long side's vectors: normalised rows of W; a zero row and, for full, the rest
            // of the basis are completed by Gram–Schmidt.
            var missing: [Int] = []
            for (position, row) in order.enumerated() {
                let target = long.pointer + position * length
                target.update(from: w.pointer + row * length, count: length)
                if sorted[position] > 0 && sorted[position].isNormal {
                    let inverse = 1 / sorted[position]
                    for j in 0..<length { target[j] *= inverse }
                } else {
                    missing.append(position)
                }
            }
            missing += Array(k..<longCount)
            completeOrthonormalRows(long.pointer, count: longCount, length: length, missing: missing)

            let uColumns = vectors == .full ? m : k, vtRows = vectors == .full ? n : k
            let uOut = u + index * m * uColumns, vtOut = vt + index * vtRows * n
            if tall {
                // U's columns are the long vectors; Vᵀ's rows are Z's rows.
                for i in 0..<m { for c in 0..<uColumns { uOut[i * uColumns + c] = long.pointer[c * length + i] } }
                for (position, row) in order.enumerated() { (vtOut + position * n).update(from: z.pointer + row * k, count: k) }
            } else {
                vtOut.update(from: long.pointer, count: vtRows * n)
                for i in 0..<m { for (position, row) in order.enumerated() { uOut[i * uColumns + position] = z.pointer[row * k + i] } }
            }
        }
        return nil
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    func symmetricEigen<T: BLASScalar>(batch: Int, n: Int, vectors: Bool, a: UnsafeMutablePointer<T>,
                                       w: UnsafeMutablePointer<T>) -> FactorizationFailure? {
        guard n > 0 else { return nil }
        let vt = Scratch<T>(n * n)
        for index in 0..<batch {
            let matrix = a + index * n * n
            // Read the lower triangle only, as syevd does.
            for i in 0..<n { for j in (i + 1)..<Swift.max(n, i + 1) { matrix[i * n + j] = matrix[j * n + i] } }
            // ‖A‖_F² and the products of entries must neither overflow nor underflow.
            let scale = scaleIntoSafeRange(matrix, count: n * n)
            setIdentity(vt.pointer, n)
            guard jacobiDiagonalize(matrix, n: n, accumulating: vt.pointer) else {
                return FactorizationFailure(matrix: index, info: n)
            }
            let order = (0..<n).sorted { matrix[$0 * n + $0] < matrix[$1 * n + $1] }
            for (position, i) in order.enumerated() { w[index * n + position] = matrix[i * n + i] / scale }
            guard vectors else { continue }
            // Column `position` of V is row `order[position]` of Vᵀ.
            for (position, row) in order.enumerated() {
                let source = vt.pointer + row * n
                for i in 0..<n { matrix[i * n + position] = source[i] }
            }
        }
        return nil
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    func leastSquares<T: BLASScalar>(batch: Int, m: Int, n: Int, rhs: Int, a: UnsafeMutablePointer<T>,
                                     b: UnsafeMutablePointer<T>, rcond: T, s: UnsafeMutablePointer<T>,
                                     rank: UnsafeMutablePointer<Int>) -> FactorizationFailure? {
        let k = Swift.min(m, n), rows = Swift.max(m, n)
        guard k > 0 else {
            for index in 0..<batch { rank[index] = 0 }
            b.update(repeating: 0, count: batch * rows * rhs)
            return nil
        }
        // `scratch` serves householderQR (m + n) and then the reflections of B (rhs), in turn.
        let copy = Scratch<T>(m * n), factor = Scratch<T>(m * n), tau = Scratch<T>(k), scratch = Scratch<T>(Swift.max(rhs, m + n))
        let vector = Scratch<T>(rows)
        for index in 0..<batch {
            let matrix = a + index * m * n, x = b + index * rows * rhs, values = s + index * k
            // The singular values (and so the rank) as gelsd reports them.
            copy.pointer.update(from: matrix, count: m * n)
            if let failure = singularValueDecomposition(batch: 1, m: m, n: n, vectors: .none, a: copy.pointer, s: values, u: nil, vt: nil) {
                return FactorizationFailure(matrix: index, info: failure.info)
            }
            let cutoff = (rcond < 0 ? T.ulpOfOne : rcond) * values[0]
            rank[index] = (0..<k).filter { values[$0] > cutoff }.count
            guard rank[index] == k else {
                fail("lstsq: the reference backend solves full-rank problems only (by Householder QR), but matrix \(index) of the batch, of shape [\(m), \(n)], has rank \(rank[index]) < \(k); use the BLAS backend (LAPACK gelsd) for the minimum-norm solution")
            }
            // Tall: A = QR, X = R⁻¹·Qᵀ·B. Wide: Aᵀ = QR, X = Q·R⁻ᵀ·B (the minimum-norm solution).
            let (factorRows, factorColumns) = m >= n ? (m, n) : (n, m)
            if m >= n {
                factor.pointer.update(from: matrix, count: m * n)
            } else {
                for i in 0..<m { for j in 0..<n { factor.pointer[j * m + i] = matrix[i * n + j] } }
            }
            householderQR(m: factorRows, n: factorColumns, a: factor.pointer, tau: tau.pointer, scratch: scratch)
            let r = factor.pointer, ldr = factorColumns
            func reflect(_ j: Int) {
                vector.pointer[j] = 1
                for i in (j + 1)..<factorRows { vector.pointer[i] = r[i * ldr + j] }
                applyReflector(vector.pointer + j, tau: tau.pointer[j], rows: factorRows - j, to: x + j * rhs, stride: rhs,
                               width: rhs, scratch: scratch.pointer)
            }
            if m >= n {
                for j in 0..<k { reflect(j) }
                for i in stride(from: k - 1, through: 0, by: -1) {
                    let row = x + i * rhs
                    for p in (i + 1)..<k { let f = r[i * ldr + p], source = x + p * rhs; for c in 0..<rhs { row[c] -= f * source[c] } }
                    let inverse = 1 / r[i * ldr + i]
                    for c in 0..<rhs { row[c] *= inverse }
                }
            } else {
                for i in 0..<k {
                    let row = x + i * rhs
                    for p in 0..<i { let f = r[p * ldr + i], source = x + p * rhs; for c in 0..<rhs { row[c] -= f * source[c] } }
                    let inverse = 1 / r[i * ldr + i]
                    for c in 0..<rhs { row[c] *= inverse }
                }
                (x + k * rhs).update(repeating: 0, count: (rows - k) * rhs)
                for j in stride(from: k - 1, through: 0, by: -1) { reflect(j) }
            }
        }
        return nil
    }

    /// geqrf's unblocked loop (geqr2 with larfg's reflector) on one m×n matrix.
    private func householderQR<T: BLASScalar>(m: Int, n: Int, a: UnsafeMutablePointer<T>, tau: UnsafeMutablePointer<T>, scratch: Scratch<T>) {
        let v = scratch.pointer, w = scratch.pointer + m
        for j in 0..<Swift.min(m, n) {
            let alpha = a[j * n + j]
            var tailLargest: T = 0
            for i in (j + 1)..<m { tailLargest = Swift.max(tailLargest, Swift.abs(a[i * n + j])) }
            guard tailLargest > 0 else { tau[j] = 0; continue }
            // The column's norm as snrm2 takes it, scaled (by a power of two, so exactly)
            // to a largest magnitude near 1, so that its square neither overflows nor underflows.
            let normScale = powerOfTwoScale(Swift.max(tailLargest, Swift.abs(alpha)))
            var tail: T = 0
            for i in (j + 1)..<m { let x = a[i * n + j] * normScale; tail += x * x }
            let beta = -T(signOf: alpha, magnitudeOf: ((alpha * normScale) * (alpha * normScale) + tail).squareRoot() / normScale)
            tau[j] = (beta - alpha) / beta
            let scale = 1 / (alpha - beta)
            v[0] = 1
            for i in (j + 1)..<m {
                a[i * n + j] *= scale
                v[i - j] = a[i * n + j]
            }
            a[j * n + j] = beta
            applyReflector(v, tau: tau[j], rows: m - j, to: a + j * n + j + 1, stride: n, width: n - j - 1, scratch: w)
        }
    }

    /// B ← (I − τ·v·vᵀ)·B for the `rows`×`width` block B whose rows are `stride` apart; v[0] = 1.
    private func applyReflector<T: BLASScalar>(_ v: UnsafePointer<T>, tau: T, rows: Int, to b: UnsafeMutablePointer<T>,
                                               stride: Int, width: Int, scratch w: UnsafeMutablePointer<T>) {
        guard tau != 0, width > 0 else { return }
        // w = vᵀ·B, accumulated row by row, then B −= τ·v·w.
        w.update(from: b, count: width)
        for i in 1..<Swift.max(rows, 1) {
            let row = b + i * stride, vi = v[i]
            for c in 0..<width { w[c] += vi * row[c] }
        }
        for i in 0..<rows {
            let row = b + i * stride, factor = tau * v[i]
            for c in 0..<width { row[c] -= factor * w[c] }
        }
    }

    /// One-sided Jacobi: rotates pairs of rows until every pair is orthogonal to
    /// within √length·ε of the product of their norms (LAPACK gesvj's test).
    /// The same rotations are applied to the rows of `z`. False if 60 sweeps do not suffice.
    private func jacobiOrthogonalizeRows<T: BLASScalar>(_ w: UnsafeMutablePointer<T>, rows: Int, length: Int,
                                                        accumulating z: UnsafeMutablePointer<T>?) -> Bool {
        let tolerance = 4 * T(length).squareRoot() * T.ulpOfOne
        var norms = [T](repeating: 0, count: rows)
        for _ in 0..<60 {
            // The squared norms, recomputed each sweep and updated through each rotation in between,
            // so that a pair costs one dot product.
            for i in 0..<rows { norms[i] = dot(count: length, x: w + i * length, incx: 1, y: w + i * length, incy: 1) }
            var rotated = false
            for p in 0..<rows {
                for q in (p + 1)..<Swift.max(rows, p + 1) {
                    let wp = w + p * length, wq = w + q * length
                    let alpha = norms[p], beta = norms[q]
                    let gamma = dot(count: length, x: wp, incx: 1, y: wq, incy: 1)
                    guard alpha > 0, beta > 0, Swift.abs(gamma) > tolerance * (alpha * beta).squareRoot() else { continue }
                    rotated = true
                    let (c, s) = jacobiRotation(zeta: (beta - alpha) / (2 * gamma))
                    rotate(wp, wq, count: length, c: c, s: s)
                    norms[p] = Swift.max(0, c * c * alpha - 2 * c * s * gamma + s * s * beta)
                    norms[q] = Swift.max(0, s * s * alpha + 2 * c * s * gamma + c * c * beta)
                    if let z { rotate(z + p * rows, z + q * rows, count: rows, c: c, s: s) }
                }
            }
            if !rotated { return true }
        }
        return false
    }

    /// Cyclic two-sided Jacobi on the symmetric n×n `a`, leaving its eigenvalues on the
    /// diagonal; Vᵀ accumulates in `vt`. Converged when a sweep rotates nothing or the
    /// off-diagonal mass is below ε·‖A‖_F. False if 60 sweeps do not suffice.
    private func jacobiDiagonalize<T: BLASScalar>(_ a: UnsafeMutablePointer<T>, n: Int, accumulating vt: UnsafeMutablePointer<T>) -> Bool {
        var frobenius: T = 0
        for i in 0..<(n * n) { frobenius += a[i] * a[i] }
        let floor = T.ulpOfOne * frobenius.squareRoot()
        for _ in 0..<60 {
            var rotated = false, offDiagonal: T = 0
            for p in 0..<n {
                for q in (p + 1)..<Swift.max(n, p + 1) {
                    let apq = a[p * n + q]
                    offDiagonal += apq * apq
                    let app = a[p * n + p], aqq = a[q * n + q]
                    guard Swift.abs(apq) > T.ulpOfOne * Swift.abs(app * aqq).squareRoot(), Swift.abs(apq) > floor * 1e-3 else { continue }
                    rotated = true
                    let (c, s) = jacobiRotation(zeta: (aqq - app) / (2 * apq))
                    // A ← Jᵀ·A·J: rows p and q, then columns p and q.
                    rotate(a + p * n, a + q * n, count: n, c: c, s: s)
                    for i in 0..<n {
                        let x = a[i * n + p], y = a[i * n + q]
                        a[i * n + p] = c * x - s * y
                        a[i * n + q] = s * x + c * y
                    }
                    rotate(vt + p * n, vt + q * n, count: n, c: c, s: s)
                }
            }
            if !rotated || offDiagonal.squareRoot() <= floor { return true }
        }
        return false
    }

    /// c and s of the rotation that annihilates the pair, with t = s/c the smaller root of t² + 2ζt − 1 = 0.
    private func jacobiRotation<T: BLASScalar>(zeta: T) -> (c: T, s: T) {
        let t = T(signOf: zeta, magnitudeOf: 1) / (Swift.abs(zeta) + (1 + zeta * zeta).squareRoot())
        let c = 1 / (1 + t * t).squareRoot()
        return (c, c * t)
    }

    /// (x, y) ← (c·x − s·y, s·x + c·y), elementwise.
    private func rotate<T: BLASScalar>(_ x: UnsafeMutablePointer<T>, _ y: UnsafeMutablePointer<T>, count: Int, c: T, s: T) {
        for i in 0..<count {
            let xi = x[i], yi = y[i]
            x[i] = c * xi - s * yi
            y[i] = s * xi + c * yi
        }
    }

    /// Replaces the `missing` rows of a `count`×`length` matrix whose other rows are
    /// orthonormal by unit vectors orthogonal to all others (Gram–Schmidt, twice, on e₀, e₁, …).
    private func completeOrthonormalRows<T: BLASScalar>(_ rows: UnsafeMutablePointer<T>, count: Int, length: Int, missing: [Int]) {
        var present = (0..<count).filter { !missing.contains($0) }
        var candidate = 0
        for target in missing {
            let row = rows + target * length
            while candidate < length {
                row.update(repeating: 0, count: length)
                row[candidate] = 1
                candidate += 1
                for _ in 0..<2 {
                    for other in present {
                        let source = rows + other * length
                        let projection = dot(count: length, x: row, incx: 1, y: source, incy: 1)
                        for j in 0..<length { row[j] -= projection * source[j] }
                    }
                }
                let norm = dot(count: length, x: row, incx: 1, y: row, incy: 1).squareRoot()
                if norm > 0.5 {
                    for j in 0..<length { row[j] /= norm }
                    break
                }
            }
            present.append(target)
        }
    }

    private func setIdentity<T: BLASScalar>(_ matrix: UnsafeMutablePointer<T>, _ n: Int) {
        matrix.update(repeating: 0, count: n * n)
        for i in 0..<n { matrix[i * n + i] = 1 }
    }
}

/// The power of two that brings `magnitude` (finite, positive) to [1, 2), within T's finite range.
private func powerOfTwoScale<T: BLASScalar>(_ magnitude: T) -> T {
    let exponent = Swift.min(Swift.max(-magnitude.exponent, -T.greatestFiniteMagnitude.exponent), T.greatestFiniteMagnitude.exponent)
    return T(sign: .plus, exponent: exponent, significand: 1)
}

/// Scales the `count` elements at `x`, as gesdd and syevd scale their input, when their
/// largest magnitude lies outside LAPACK's safe range [√(least normal)/ε, its reciprocal]:
/// then by the power of two that brings it near 1, so the scaling is exact. Returns the
/// factor (1 when inside the range); results that scale with the matrix are divided by it.
private func scaleIntoSafeRange<T: BLASScalar>(_ x: UnsafeMutablePointer<T>, count: Int) -> T {
    var largest: T = 0
    for i in 0..<count { largest = Swift.max(largest, Swift.abs(x[i])) }
    let small = T.leastNormalMagnitude.squareRoot() / T.ulpOfOne
    guard largest > 0, largest.isFinite, largest < small || largest > 1 / small else { return 1 }
    let factor = powerOfTwoScale(largest)
    for i in 0..<count { x[i] *= factor }
    return factor
}

/// A zeroed scratch buffer, freed with its owner.
private final class Scratch<T: BLASScalar> {
    let pointer: UnsafeMutablePointer<T>
    init(_ count: Int) {
        pointer = .allocate(capacity: Swift.max(count, 1))
        pointer.initialize(repeating: 0, count: Swift.max(count, 1))
    }
    deinit { pointer.deallocate() }
}
