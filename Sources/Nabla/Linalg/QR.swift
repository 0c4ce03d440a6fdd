/// Which Q and R `Linalg.qr` returns for an m×n A with k = min(m, n).
public enum QRMode: Sendable {
    /// Q is m×k with orthonormal columns, R is k×n (`torch.linalg.qr`'s default).
    case reduced
    /// Q is m×m orthogonal, R is m×n.
    case complete
}

extension Linalg {
    /// A = Q·R with Q orthonormal and R upper triangular, by Householder reflections
    /// (LAPACK geqrf, then orgqr to form Q). A is [..., m, n]; each matrix of the
    /// batch is factored in turn. R's diagonal may be negative, as LAPACK leaves it.
    ///
    /// Differentiable for the reduced factorisation (and the complete one when m ≤ n)
    /// where A's first min(m, n) columns are independent, with PyTorch's rule: for
    /// m ≥ n, dA = (G_Q + Q·copyu(M))·R⁻ᵀ with M = G_R·Rᵀ − Qᵀ·G_Q and copyu mirroring
    /// M's upper triangle below the diagonal; for m < n, A = [X | Y] splits into the
    /// square rule for X (with G_Q + Y·G_R₂ᵀ) and dY = Q·G_R₂.
    public static func qr(_ a: Tensor, mode: QRMode = .reduced) -> (q: Tensor, r: Tensor) {
        let (_, m, n) = matrixShape(a, op: "qr")
        let (q, r) = dispatch(a, op: "qr", QRFactors(a: a, mode: mode))
        let outputs = recordedTogether("qr", [q, r], inputs: [a]) { grads, _ in
            guard mode == .reduced || m <= n else {
                fail("qr: the complete factorisation of a tall matrix (shape \(describe(a.shape))) is not differentiable: Q's last \(m - n) columns are not unique; use mode: .reduced")
            }
            return [qrGradient(q: q, r: r, gradQ: grads[0], gradR: grads[1], m: m, n: n)]
        }
        return (outputs[0], outputs[1])
    }

    /// The gradient of A = Q·R (reduced) from those of Q and R.
    private static func qrGradient(q: Tensor, r: Tensor, gradQ: Tensor, gradR: Tensor, m: Int, n: Int) -> Tensor {
        guard m < n else { return squareQRGradient(q: q, r: r, gradQ: gradQ, gradR: gradR) }
        // A = [X | Y] with X = Q·R₁ square and R₂ = Qᵀ·Y.
        let last = r.rank - 1
        let y = q • r.slab(axis: last, start: m, extent: n - m)
        let gradR2 = gradR.slab(axis: last, start: m, extent: n - m)
        let gradX = squareQRGradient(q: q, r: r.slab(axis: last, start: 0, extent: m),
                                     gradQ: gradQ + y • gradR2.transposed, gradR: gradR.slab(axis: last, start: 0, extent: m).contiguous())
        return Tensor.cat([gradX, q • gradR2], axis: -1)
    }

    /// dA = (G_Q + Q·copyu(G_R·Rᵀ − Qᵀ·G_Q))·R⁻ᵀ for a square, invertible R.
    private static func squareQRGradient(q: Tensor, r: Tensor, gradQ: Tensor, gradR: Tensor) -> Tensor {
        let mMatrix = gradR • r.transposed - q.transposed • gradQ
        let copied = mMatrix.triu() + mMatrix.triu(diagonal: 1).transposed
        // Y·R⁻ᵀ = (R⁻¹·Yᵀ)ᵀ.
        guard let solved = try? solve(r, (gradQ + q • copied).transposed) else {
            fail("qr: R is singular (A's leading columns are dependent), so the gradient is undefined")
        }
        return solved.transposed
    }
}

/// Q and R of each matrix of A [..., m, n] (geqrf, then orgqr), unrecorded.
private struct QRFactors: LinalgKernel {
    let a: Tensor, mode: QRMode

    func run<T: BLASScalar>(_ type: T.Type) -> (Tensor, Tensor) {
        let (batch, m, n) = Linalg.matrixShape(a, op: "qr")
        let k = Swift.min(m, n), count = Linalg.batchCount(a)
        let qColumns = mode == .complete ? m : k, rRows = qColumns
        let factors = a.materialized()
        let tau = Tensor.zeros([count * k], dtype: T.dtype)
        let kernels = Nabla.kernels
        kernels.qrFactor(batch: count, m: m, n: n, a: factors.base(T.self), tau: tau.base(T.self))
        let source = UnsafePointer(factors.base(T.self))
        // R: the upper triangle of the factors' first rows; Q starts as the reflectors' columns.
        let r = Tensor.zeros(batch + [rRows, n], dtype: T.dtype), q = Tensor.zeros(batch + [m, qColumns], dtype: T.dtype)
        let rOut = r.base(T.self), qOut = q.base(T.self)
        for index in 0..<count {
            for i in 0..<Swift.min(rRows, m) {
                for j in i..<Swift.max(i, n) { rOut[(index * rRows + i) * n + j] = source[(index * m + i) * n + j] }
            }
            for i in 0..<m {
                for j in 0..<Swift.min(qColumns, n) { qOut[(index * m + i) * qColumns + j] = source[(index * m + i) * n + j] }
            }
        }
        kernels.qrFormQ(batch: count, m: m, columns: qColumns, reflectors: k, a: qOut, tau: UnsafePointer(tau.base(T.self)))
        return (q, r)
    }
}
