extension Linalg {
    /// The eigenvalues (ascending) and unit eigenvectors (the columns of V, each unique
    /// up to sign) of a symmetric A [..., n, n] with A = V·diag(w)·Vᵀ (LAPACK syevd,
    /// divide and conquer). Only A's lower triangle is read, as in PyTorch. It runs on one
    /// OpenBLAS thread, so its last bits never depend on the thread count.
    ///
    /// Differentiable with PyTorch's rule, where the eigenvalues are distinct if the
    /// eigenvectors carry a gradient: dA = V·(diag(G_w) + skew(Vᵀ·G_V) / E)·Vᵀ with
    /// E_ij = w_j − w_i and skew(X) = ½(X − Xᵀ); the result is symmetric.
    public static func eigh(_ a: Tensor) throws -> (eigenvalues: Tensor, eigenvectors: Tensor) {
        let (w, v) = try symmetricEigen(a, vectors: true, op: "eigh")
        let outputs = recordedTogether("eigh", [w, v], inputs: [a]) { grads, _ in
            var inner = diagonalMatrix(grads[0])
            if !isZero(grads[1]) {
                let n = w.shape.last!
                let projected = v.transposed • grads[1]
                let gaps = w.unsqueeze(axis: -2) - w.unsqueeze(axis: -1) + Tensor.eye(n)
                inner = inner + (1 - Tensor.eye(n)) * 0.5 * (projected - projected.transposed) / gaps
            }
            return [v • inner • v.transposed]
        }
        return (outputs[0], outputs[1])
    }

    /// The eigenvalues, ascending, of a symmetric A [..., n, n] (syevd without
    /// vectors; lower triangle read). Differentiable, repeated values included:
    /// dA = V·diag(G)·Vᵀ, so V is computed too when a gradient will be wanted.
    public static func eigvalsh(_ a: Tensor) throws -> Tensor {
        guard GradMode.isEnabled, a.requiresGrad else { return try symmetricEigen(a, vectors: false, op: "eigvalsh").w }
        let (w, v) = try symmetricEigen(a, vectors: true, op: "eigvalsh")
        return w.recorded("eigvalsh", [a]) { g, _ in [(v * g.unsqueeze(axis: -2)) • v.transposed] }
    }

    private static func symmetricEigen(_ a: Tensor, vectors: Bool, op: String) throws -> (w: Tensor, v: Tensor) {
        _ = squareSize(a, op: op)
        // Only the lower triangle is read, so a NaN above it does not matter (as in PyTorch).
        try requireFinite(a, op: op, lowerTriangleOnly: true)
        return try dispatch(a, op: op, SymmetricEigen(a: a, vectors: vectors, op: op))
    }
}

/// The eigenvalues and (with `vectors`) eigenvectors of each symmetric matrix of A (syevd), unrecorded.
private struct SymmetricEigen: LinalgKernel {
    let a: Tensor, vectors: Bool, op: String

    func run<T: BLASScalar>(_ type: T.Type) throws -> (w: Tensor, v: Tensor) {
        let n = a.shape[a.rank - 1]
        let work = a.materialized()
        let w = Tensor.zeros(Array(a.shape.dropLast()), dtype: T.dtype)
        if let failure = Nabla.kernels.symmetricEigen(batch: Linalg.batchCount(a), n: n, vectors: vectors, a: work.base(T.self), w: w.base(T.self)) {
            throw LinalgError.noConvergence(op: op, shape: a.shape, matrix: failure.matrix, info: failure.info)
        }
        return (w, work)
    }
}
