extension Linalg {
    /// A = U·diag(S)·Vᴴ for A [..., m, n] (LAPACK gesdd, divide and conquer), S
    /// descending, k = min(m, n). With `fullMatrices` (the default, as in NumPy and
    /// PyTorch) U is m×m and Vᴴ n×n, else U is m×k and Vᴴ k×n. Each singular vector
    /// is unique only up to sign.
    ///
    /// Differentiable where the singular values are distinct and non-zero, by
    /// Townsend's rule (PyTorch's): with F_ij = 1/(s_j² − s_i²),
    /// dA = U·[(F∘(UᵀG_U − G_UᵀU))·S + diag(G_S) + S·(F∘(VᵀG_V − G_VᵀV))]·Vᵀ
    ///    + (I − UUᵀ)·G_U·S⁻¹·Vᵀ + U·S⁻¹·G_Vᵀ·(I − VVᵀ);
    /// with full matrices only U's and V's first k columns carry a gradient.
    /// A gradient that reaches S alone needs only distinct-or-not values: U·diag(G_S)·Vᵀ.
    public static func svd(_ a: Tensor, fullMatrices: Bool = true) throws -> (u: Tensor, s: Tensor, vh: Tensor) {
        let (u, s, vh) = try decompose(a, vectors: fullMatrices ? .full : .thin, op: "svd")
        let (_, m, n) = matrixShape(a, op: "svd")
        let k = Swift.min(m, n)
        let outputs = recordedTogether("svd", [u, s, vh], inputs: [a]) { grads, _ in
            // Only the first k columns of U and rows of Vᴴ enter A.
            let thinU = u.slab(axis: u.rank - 1, start: 0, extent: k), thinVh = vh.slab(axis: vh.rank - 2, start: 0, extent: k)
            let gradU = grads[0].slab(axis: u.rank - 1, start: 0, extent: k), gradVh = grads[2].slab(axis: vh.rank - 2, start: 0, extent: k)
            return [svdGradient(u: thinU, s: s, vh: thinVh, gradU: gradU, gradS: grads[1], gradVh: gradVh)]
        }
        return (outputs[0], outputs[1], outputs[2])
    }

    /// The singular values of A [..., m, n], descending (gesdd without vectors).
    /// Differentiable: dA = U·diag(G)·Vᵀ, which needs the vectors, so they are
    /// computed too when a gradient will be wanted.
    public static func svdvals(_ a: Tensor) throws -> Tensor {
        guard GradMode.isEnabled, a.requiresGrad else { return try decompose(a, vectors: .none, op: "svdvals").s }
        let (u, s, vh) = try decompose(a, vectors: .thin, op: "svdvals")
        return s.recorded("svdvals", [a]) { g, _ in [(u * g.unsqueeze(axis: -2)) • vh] }
    }

    /// The backend's SVD of each matrix of the batch, unrecorded.
    static func decompose(_ a: Tensor, vectors: SVDVectors, op: String) throws -> (u: Tensor, s: Tensor, vh: Tensor) {
        _ = matrixShape(a, op: op)
        try requireFinite(a, op: op)
        return try dispatch(a, op: op, SingularValueDecomposition(a: a, vectors: vectors, op: op))
    }

    private static func svdGradient(u: Tensor, s: Tensor, vh: Tensor, gradU: Tensor, gradS: Tensor, gradVh: Tensor) -> Tensor {
        var inner = diagonalMatrix(gradS)
        let usesU = !isZero(gradU), usesV = !isZero(gradVh)
        guard usesU || usesV else { return u • inner • vh }
        let v = vh.transposed, gradV = gradVh.transposed
        let squares = s * s
        let gaps = squares.unsqueeze(axis: -2) - squares.unsqueeze(axis: -1)   // s_j² − s_i²
        let k = s.shape.last!
        let offDiagonal = 1 - Tensor.eye(k)
        let f = offDiagonal / (gaps + Tensor.eye(k))
        let inverseS = 1 / s
        var result: Tensor
        if usesU {
            let uGradU = u.transposed • gradU
            inner = inner + (f * (uGradU - uGradU.transposed)) * s.unsqueeze(axis: -2)
        }
        if usesV {
            let vGradV = v.transposed • gradV
            inner = inner + s.unsqueeze(axis: -1) * (f * (vGradV - vGradV.transposed))
        }
        result = u • inner • vh
        if usesU {
            // (I − UUᵀ)·G_U·S⁻¹·Vᵀ, zero when U is square.
            let outside = gradU - u • (u.transposed • gradU)
            result = result + (outside * inverseS.unsqueeze(axis: -2)) • vh
        }
        if usesV {
            let outside = gradVh - (gradVh • v) • vh
            result = result + u • (inverseS.unsqueeze(axis: -1) * outside)
        }
        return result
    }
}

/// U, S and Vᴴ of each matrix of A [..., m, n] (gesdd), unrecorded.
private struct SingularValueDecomposition: LinalgKernel {
    let a: Tensor, vectors: SVDVectors, op: String

    func run<T: BLASScalar>(_ type: T.Type) throws -> (u: Tensor, s: Tensor, vh: Tensor) {
        let (batch, m, n) = Linalg.matrixShape(a, op: op)
        let k = Swift.min(m, n)
        let work = a.materialized()
        let uColumns = vectors == .full ? m : k, vhRows = vectors == .full ? n : k
        let s = Tensor.zeros(batch + [k], dtype: T.dtype)
        let u = Tensor.zeros(vectors == .none ? [0] : batch + [m, uColumns], dtype: T.dtype)
        let vh = Tensor.zeros(vectors == .none ? [0] : batch + [vhRows, n], dtype: T.dtype)
        if let failure = Nabla.kernels.singularValueDecomposition(
            batch: Linalg.batchCount(a), m: m, n: n, vectors: vectors, a: work.base(T.self), s: s.base(T.self),
            u: vectors == .none ? nil : u.base(T.self), vt: vectors == .none ? nil : vh.base(T.self)) {
            throw LinalgError.noConvergence(op: op, shape: a.shape, matrix: failure.matrix, info: failure.info)
        }
        return (u, s, vh)
    }
}
