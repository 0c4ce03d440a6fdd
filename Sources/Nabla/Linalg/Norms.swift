/// The matrix norms of `Linalg.matrixNorm` and `Linalg.cond` (torch's `ord`).
public enum MatrixNorm: Sendable {
    /// √Σ aᵢⱼ² (`'fro'`).
    case frobenius
    /// Σ σᵢ, the sum of the singular values (`'nuc'`).
    case nuclear
    /// The largest column sum of |aᵢⱼ| (`1`).
    case one
    /// σ₁, the largest singular value (`2`).
    case two
    /// The largest row sum of |aᵢⱼ| (`inf`).
    case infinity
}

extension Linalg {
    /// The norm of each matrix of A [..., m, n], a tensor of the batch shape.
    /// The nuclear and 2-norms take the singular values (gesdd). Differentiable
    /// where the norm is (σ₁ simple for the 2-norm; A ≠ 0 for Frobenius). An empty
    /// matrix (m or n zero) has norm 0 of every kind, as in PyTorch.
    public static func matrixNorm(_ a: Tensor, _ kind: MatrixNorm = .frobenius) throws -> Tensor {
        let (batch, m, n) = matrixShape(a, op: "matrixNorm")
        if m == 0 || n == 0 { return Tensor.zeros(batch, dtype: a.dtype) }
        switch kind {
        case .frobenius: return a.square().sum(axes: [-2, -1]).sqrt()
        case .nuclear: return try svdvals(a).sum(axis: -1)
        case .two: return try svdvals(a).max(axis: -1)
        case .one: return a.abs().sum(axis: -2).max(axis: -1)
        case .infinity: return a.abs().sum(axis: -1).max(axis: -1)
        }
    }

    /// The p-norm (Σ|xᵢ|ᵖ)^(1/p) over `axes` (all when nil), as `torch.linalg.vector_norm`:
    /// `order` ∞ is max |xᵢ|, −∞ min |xᵢ|, 0 the count of non-zero elements.
    /// Differentiable, with ``Tensor/norm(p:axes:keepDims:)``'s gradients (zero for order 0, as in PyTorch).
    public static func vectorNorm(_ x: Tensor, order: Double = 2, axes: [Int]? = nil, keepDims: Bool = false) -> Tensor {
        x.norm(p: order, axes: axes, keepDims: keepDims, op: "vectorNorm")
    }

    /// The condition number ‖A‖·‖A⁻¹‖ of each matrix of A [..., m, n]: σ₁/σₖ for the
    /// 2-norm (any shape; ∞ when singular), else of square A through the inverse
    /// (∞ when A is singular). An empty matrix has condition number 0, as in PyTorch.
    public static func cond(_ a: Tensor, _ kind: MatrixNorm = .two) throws -> Tensor {
        let (batch, m, n) = matrixShape(a, op: "cond")
        if kind != .two { _ = squareSize(a, op: "cond") }
        if m == 0 || n == 0 { return Tensor.zeros(batch, dtype: a.dtype) }
        if kind == .two {
            let s = try svdvals(a)
            return s.max(axis: -1) / s.min(axis: -1)
        }
        guard let inverse = try? inverse(a) else { return Tensor.full(batch, Double.infinity, dtype: a.dtype) }
        return try matrixNorm(a, kind) * matrixNorm(inverse, kind)
    }

    /// The numerical rank of each matrix of A [..., m, n]: the count of its singular
    /// values above max(atol, rtol·σ₁), as `torch.linalg.matrix_rank`; rtol defaults to
    /// the dtype's ε·max(m, n) when atol is 0. A tensor of the batch shape.
    public static func matrixRank(_ a: Tensor, absoluteTolerance: Double = 0, relativeTolerance: Double? = nil) throws -> Tensor {
        let s = try svdvals(a.detached())
        return (s .> cutoff(s, a, op: "matrixRank", absoluteTolerance, relativeTolerance)).sum(axis: -1)
    }

    /// The Moore–Penrose pseudo-inverse A⁺ [..., n, m] of A [..., m, n] through the thin
    /// SVD: V·diag(1/σᵢ)·Uᵀ over the singular values above max(atol, rtol·σ₁) (rtol
    /// defaults to the dtype's ε·max(m, n), as in `torch.linalg.pinv`); the others count as zero.
    /// Differentiable through `svd` where the kept singular values are distinct.
    public static func pinv(_ a: Tensor, absoluteTolerance: Double = 0, relativeTolerance: Double? = nil) throws -> Tensor {
        let (u, s, vh) = try svd(a, fullMatrices: false)
        let kept = s.detached() .> cutoff(s.detached(), a, op: "pinv", absoluteTolerance, relativeTolerance)
        // 1/σ where kept and 0 elsewhere, finite (and so with a finite gradient) everywhere.
        let inverted = kept * s / (s * s + ~kept)
        return (vh.transposed * inverted.unsqueeze(axis: -2)) • u.transposed
    }

    /// max(atol, rtol·σ₁) per matrix, shaped to broadcast against the singular values.
    private static func cutoff(_ s: Tensor, _ a: Tensor, op: String, _ atol: Double, _ rtol: Double?) -> Tensor {
        let (_, m, n) = matrixShape(a, op: op)
        guard atol >= 0, (rtol ?? 0) >= 0 else { fail("\(op): tolerances must be non-negative, got atol \(atol), rtol \(rtol ?? 0)") }
        let relative = rtol ?? (atol > 0 ? 0 : epsilon(of: a.dtype) * Double(Swift.max(m, n)))
        let largest = s.shape.last! == 0 ? Tensor.zeros(Array(s.shape.dropLast()) + [1], dtype: s.dtype) : s.max(axis: -1, keepDims: true)
        return (largest * relative).clamp(min: atol)
    }
}
