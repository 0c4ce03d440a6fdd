/// A matrix that a factorisation cannot handle; a property of the data, so it is thrown.
public enum LinalgError: Error, Equatable, CustomStringConvertible {
    /// U[pivot−1, pivot−1] of the LU factorisation is exactly zero.
    case singular(op: String, pivot: Int)
    /// The leading minor of this order is not positive definite.
    case notPositiveDefinite(op: String, minor: Int)

    public var description: String {
        switch self {
        case .singular(let op, let pivot):
            return "\(op): the matrix is singular (U[\(pivot - 1), \(pivot - 1)] of its LU factorisation is zero)"
        case .notPositiveDefinite(let op, let minor):
            return "\(op): the matrix is not positive definite (its leading minor of order \(minor) is not)"
        }
    }
}

/// Dense linear algebra on square Float32 matrices: LAPACKE on the BLAS
/// backend, the same unblocked algorithms in Swift on the reference backend.
/// Results carry Float32 rounding amplified by the condition number of A.
public enum Linalg {
    /// X with A·X = B (LU with partial pivoting); B is a vector [n] or a matrix [n, k].
    /// Differentiable in A and B: dB = A⁻ᵀ·G, dA = −dB·Xᵀ.
    public static func solve(_ a: Tensor, _ b: Tensor) throws -> Tensor {
        let n = squareSize(a, op: "solve")
        guard (b.rank == 1 || b.rank == 2) && b.shape[0] == n else {
            fail("solve: A of shape \(describe(a.shape)) and B of shape \(describe(b.shape)) do not fit: B needs \(n) rows")
        }
        let (lu, pivots) = try factorLU(a, op: "solve")
        let columns = b.rank == 2 ? b.shape[1] : 1
        let x = b.detached().materialized()
        let kernels = Nabla.kernels
        pivots.withUnsafeBufferPointer { p in
            kernels.luSolve(n: n, rhs: columns, lu: lu.basePointer, lda: n, pivots: p.baseAddress!, b: x.basePointer, ldb: columns)
        }
        let matrix = a.detached()
        return x.recorded("solve", [a, b]) { g, needs in
            guard let gradB = try? solve(matrix.transposed, g) else {
                fail("solve: the transposed matrix is singular, so the gradient is undefined")
            }
            let gradA: Tensor? = needs[0]
                ? (x.rank == 1 ? -(gradB.unsqueeze(axis: 1) • x.unsqueeze(axis: 0)) : -(gradB • x.transposed))
                : nil
            return [gradA, needs[1] ? gradB : nil]
        }
    }

    /// A⁻¹, computed as the solution of A·X = I. Differentiable.
    public static func inverse(_ a: Tensor) throws -> Tensor {
        let n = squareSize(a, op: "inverse")
        do {
            return try solve(a, Tensor.eye(n))
        } catch LinalgError.singular(_, let pivot) {
            throw LinalgError.singular(op: "inverse", pivot: pivot)
        }
    }

    /// det(A): the product of U's diagonal with the sign of the row swaps; 0 for a
    /// singular matrix. Differentiable where A is invertible: d det = det·A⁻ᵀ.
    public static func determinant(_ a: Tensor) -> Tensor {
        _ = squareSize(a, op: "determinant")
        let value: Float
        if let (lu, pivots) = try? factorLU(a, op: "determinant") {
            let n = a.shape[0]
            let diagonal = lu.scalars
            var product: Float = 1
            for i in 0..<n {
                product *= diagonal[i * n + i]
                if Int(pivots[i]) != i + 1 { product = -product }
            }
            value = product
        } else {
            value = 0
        }
        let matrix = a.detached()
        return Tensor(value).recorded("determinant", [a]) { g, _ in
            guard let inverse = try? inverse(matrix) else {
                fail("determinant: the matrix is singular, so the gradient is undefined")
            }
            return [g * value * inverse.transposed]
        }
    }

    /// The lower-triangular L with A = L·Lᵀ for a symmetric positive-definite A
    /// (only A's lower triangle is read). Not differentiable.
    public static func cholesky(_ a: Tensor) throws -> Tensor {
        let n = squareSize(a, op: "cholesky")
        guard !a.requiresGrad else {
            fail("cholesky: gradients are not implemented; pass a.detached() or call it inside noGrad { }")
        }
        let factor = a.materialized()
        let info = Nabla.kernels.choleskyFactor(n: n, a: factor.basePointer, lda: n)
        guard info == 0 else { throw LinalgError.notPositiveDefinite(op: "cholesky", minor: info) }
        // Keep the lower triangle: the upper one still holds A.
        return factor * Tensor.generated([n, n]) { $0 % n <= $0 / n ? 1 : 0 }
    }

    private static func squareSize(_ a: Tensor, op: String) -> Int {
        guard a.rank == 2, a.shape[0] == a.shape[1] else {
            fail("\(op): needs a square matrix, got shape \(describe(a.shape))")
        }
        return a.shape[0]
    }

    private static func factorLU(_ a: Tensor, op: String) throws -> (lu: Tensor, pivots: [Int32]) {
        let n = a.shape[0]
        let lu = a.materialized()
        var pivots = [Int32](repeating: 0, count: n)
        let info = pivots.withUnsafeMutableBufferPointer { p in
            Nabla.kernels.luFactor(n: n, a: lu.basePointer, lda: n, pivots: p.baseAddress!)
        }
        guard info == 0 else { throw LinalgError.singular(op: op, pivot: info) }
        return (lu, pivots)
    }
}
