/// What `Linalg.lstsq` returns, as `torch.linalg.lstsq` with the gelsd driver.
public struct LeastSquaresSolution {
    /// X [..., n, k] (or [..., n] for a vector B) minimising ‖A·X − B‖, of least norm.
    public let solution: Tensor
    /// The effective rank of each A [...]: its singular values above rcond·σ₁ (int64, as in PyTorch).
    public let rank: Tensor
    /// The singular values of each A [..., min(m, n)], descending.
    public let singularValues: Tensor
}

extension Linalg {
    /// The minimum-norm least-squares solution of A·X = B for A [..., m, n] of any
    /// rank, over- or under-determined (LAPACK gelsd: SVD by divide and conquer).
    /// B is [..., m, k] or a vector [..., m]; batch axes broadcast. Singular values at
    /// most `rcond`·σ₁ count as zero; the default rcond is the dtype's ε·max(m, n), as in NumPy
    /// and PyTorch. The reference backend solves full-rank A only (Householder QR)
    /// and stops with a clear message on a rank-deficient one.
    ///
    /// Differentiable in A and B where A has full rank, from the derivative of the
    /// pseudo-inverse: with Y = A⁺ᵀ·G and R = B − A·X,
    /// dB = Y and dA = −Y·Xᵀ + R·(A⁺·Y)ᵀ + (A⁺ᵀ·X)·((I − A⁺A)·G)ᵀ,
    /// each A⁺ product being itself a least-squares solve.
    public static func lstsq(_ a: Tensor, _ b: Tensor, rcond: Double? = nil) throws -> LeastSquaresSolution {
        let (_, m, n) = matrixShape(a, op: "lstsq")
        let (columns, isVector, batch) = rightHandSide(a, matchingDType(b, of: a, op: "lstsq"), rows: m, op: "lstsq")
        let result = try solveLeastSquares(a.expand(to: batch + [m, n]), columns,
                                           rcond: rcond ?? epsilon(of: a.dtype) * Double(Swift.max(m, n)))
        return LeastSquaresSolution(solution: isVector ? result.solution.squeeze(axis: -1) : result.solution,
                                    rank: result.rank, singularValues: result.singularValues)
    }

    /// lstsq for A [b..., m, n] and B [b..., m, k] of the same batch, recorded.
    private static func solveLeastSquares(_ a: Tensor, _ b: Tensor, rcond: Double) throws -> LeastSquaresSolution {
        let (batch, m, n) = matrixShape(a, op: "lstsq")
        let smaller = Swift.min(m, n)
        try requireFinite(a, op: "lstsq")
        let (x, values, ranks) = try dispatch(a, op: "lstsq", LeastSquares(a: a, b: b, rcond: rcond))
        let rank = Tensor(shape: batch, scalars: ranks.map(Int64.init))

        let matrix = a.detached(), rhs = b.detached()
        let solution = x.recorded("lstsq", [a, b]) { g, needs in
            if let deficient = ranks.firstIndex(where: { $0 < smaller }) {
                fail("lstsq: the gradient needs A of full rank, but matrix \(deficient) of shape \(describe(matrix.shape)) has rank \(ranks[deficient]) < \(smaller)")
            }
            func pseudoInverseTimes(_ lhs: Tensor, _ rhs: Tensor) -> Tensor {
                guard let solved = try? solveLeastSquares(lhs, rhs, rcond: rcond) else {
                    fail("lstsq: a least-squares solve in the gradient did not converge")
                }
                return solved.solution
            }
            let y = pseudoInverseTimes(matrix.transposed, g)
            guard needs[0] else { return [nil, y] }
            let residual = rhs - matrix • x
            var gradA = -(y • x.transposed) + residual • pseudoInverseTimes(matrix, y).transposed
            if m < n {
                // (I − A⁺A)·G vanishes when A has full column rank.
                let outside = g - pseudoInverseTimes(matrix, matrix • g)
                gradA = gradA + pseudoInverseTimes(matrix.transposed, x) • outside.transposed
            }
            return [gradA, needs[1] ? y : nil]
        }
        return LeastSquaresSolution(solution: solution, rank: rank, singularValues: values)
    }
}

/// X, the singular values and the ranks for A [b..., m, n] and B [b..., m, k] of the same batch (gelsd), unrecorded.
private struct LeastSquares: LinalgKernel {
    let a: Tensor, b: Tensor, rcond: Double

    func run<T: BLASScalar>(_ type: T.Type) throws -> (x: Tensor, values: Tensor, ranks: [Int]) {
        let (batch, m, n) = Linalg.matrixShape(a, op: "lstsq")
        let k = b.shape.last!, count = Linalg.batchCount(a), rows = Swift.max(m, n)
        let work = a.materialized()
        // gelsd wants B with max(m, n) rows; X comes back in the first n.
        let padded = Tensor.zeros([count, rows, k], dtype: T.dtype)
        padded.slab(axis: 1, start: 0, extent: m).assign(from: b.reshape([count, m, k]))
        let values = Tensor.zeros(batch + [Swift.min(m, n)], dtype: T.dtype)
        var ranks = [Int](repeating: 0, count: count)
        let failure = ranks.withUnsafeMutableBufferPointer { rank in
            Nabla.kernels.leastSquares(batch: count, m: m, n: n, rhs: k, a: work.base(T.self), b: padded.base(T.self),
                                       rcond: T(rcond), s: values.base(T.self), rank: rank.baseAddress!)
        }
        if let failure { throw LinalgError.noConvergence(op: "lstsq", shape: a.shape, matrix: failure.matrix, info: failure.info) }
        return (padded.slab(axis: 1, start: 0, extent: n).materialized().reshape(batch + [n, k]), values, ranks)
    }
}
